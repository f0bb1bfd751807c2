import Foundation
import Testing

@testable import SoftmaxModels

/// The WordPiece tokenizer: normalisation rules on their own, the greedy longest match on a small
/// vocabulary, and ids equal to Hugging Face `tokenizers` on the real vocabulary.
@Suite struct WordPieceTokenizerTests {
    let small = try! WordPieceTokenizer(
        tokens: [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "aff", "able",
            "##a", "a", ",", "!", "x", "##x", "东", "京", "cafe",
        ], maxLength: 8)

    @Test func normalisationCleansLowercasesStripsAccentsAndSplits() {
        #expect(BertNormalizer.words("Hello, World!") == ["hello", ",", "world", "!"])
        #expect(BertNormalizer.words("Café naïve ÅNGSTRÖM") == ["cafe", "naive", "angstrom"])
        #expect(BertNormalizer.words("东京tokyo") == ["东", "京", "tokyo"])
        #expect(BertNormalizer.words("a\u{0}b\u{7}c\u{FFFD}d") == ["abcd"])
        #expect(BertNormalizer.words("tab\there\nnew\u{00A0}line") == ["tab", "here", "new", "line"])
        #expect(BertNormalizer.words("$5+3=8^2|~`") == ["$", "5", "+", "3", "=", "8", "^", "2", "|", "~", "`"])
        #expect(BertNormalizer.words("") == [] && BertNormalizer.words(" \t\n ") == [])
        #expect(BertNormalizer.words("«quoted»") == ["«", "quoted", "»"])
    }

    @Test func greedyLongestMatchWithContinuations() {
        #expect(small.pieces("unaffable") == [5, 6, 7])
        #expect(small.pieces("affable") == [8, 7])
        #expect(small.pieces("unknownword") == [1])  // no split: the whole word is [UNK]
        #expect(small.pieces("x" + String(repeating: "x", count: 99)) == [14] + [Int](repeating: 15, count: 99))
        #expect(small.pieces(String(repeating: "x", count: 101)) == [1])  // over 100 characters
        #expect(small.pieces("东京, Café!") == [16, 17, 12, 18, 13])
        #expect(small.encode("") == [2, 3])
        #expect(small.encode("a a a a a a a a a a") == [2, 11, 11, 11, 11, 11, 11, 3])  // truncated to maxLength 8
        #expect(small.pieces("a[SEP]a [MASK]") == [11, 3, 11, 4])
        #expect(small.pieces("[sep] [NOPE]") == [1, 1, 1, 1, 1, 1])  // not special: lowercased brackets and words
    }

    @Test(.enabled(if: ModelFolder.hasModel, "\(ModelFolder.skipReason)")) func idsEqualHuggingFaceTokenizers() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyFile: ModelFolder.minilm + "/vocab.txt", maxLength: 100_000)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/tokenizer-reference.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let cases = json["cases"] as! [[String: Any]]
        #expect(cases.count > 30)
        for c in cases {
            let text = c["text"] as! String
            #expect(tokenizer.encode(text) == (c["ids"] as! [Int]), "\(text.prefix(60))")
        }
        // The model's own limit: 256 tokens including [CLS] and [SEP].
        let model = try WordPieceTokenizer(vocabularyFile: ModelFolder.minilm + "/vocab.txt")
        let long = model.encode(String(repeating: "word ", count: 300))
        #expect(long.count == 256 && long.first == 101 && long.last == 102)
    }

    @Test func vocabularyErrors() {
        #expect(throws: ModelError.self) { try WordPieceTokenizer(tokens: ["a", "b"]) }
        #expect(throws: ModelError.self) { try WordPieceTokenizer(vocabularyFile: "/nonexistent/vocab.txt") }
        #expect(throws: ModelError.self) { try WordPieceTokenizer(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"], maxLength: 1) }
    }
}
