import Foundation
import Testing

@testable import SoftmaxModels

/// The byte-level BPE tokenizer: the pre-tokenizer's pieces, merges by rank, every byte encodable,
/// decoding back to the text; and, with the decoder fetched, the ids of Hugging Face `tokenizers`
/// on the model's own vocabulary (a fixture written by scripts/bpe-reference.py) and of the
/// shared reference prompts.
@Suite struct ByteLevelBPETokenizerTests {
    static func pieces(_ text: String, digits: Bool = true) -> [String] {
        ByteLevelPreTokenizer.split(text, isolatesDigits: digits).map { String($0) }
    }

    @Test func piecesFollowGPT2sPatternWithDigitsIsolated() {
        #expect(Self.pieces("Hello world") == ["Hello", " world"])
        #expect(Self.pieces("I'm here, it's 42!") == ["I", "'m", " here", ",", " it", "'s", " ", "4", "2", "!"])
        #expect(Self.pieces("I'm 42", digits: false) == ["I", "'m", " 42"])
        #expect(Self.pieces("a  b") == ["a", " ", " b"])
        #expect(Self.pieces("a\n\nb") == ["a", "\n", "\n", "b"])
        #expect(Self.pieces("end   ") == ["end", "   "])
        #expect(Self.pieces(" ?!x") == [" ?!", "x"])
        #expect(Self.pieces("they'll WE'RE") == ["they", "'ll", " WE", "'", "RE"])
        #expect(Self.pieces("東京 😀😀") == ["東京", " 😀😀"])
        for text in ["", " ", "a b  c\t\td\n", "x'y''z", "١٢٣abc", "e\u{301}\u{301} \u{301}"] {
            #expect(Self.pieces(text).joined() == text, "pieces of \(text.debugDescription) do not concatenate to it")
        }
    }

    /// A vocabulary of the 256 byte characters plus merges `a b`, `ab c`, `Ġ a`: merges apply by
    /// rank, unknown pairs stay bytes, and every text decodes back to itself.
    @Test func mergesApplyByRankAndEveryByteIsEncodable() throws {
        let bytes = ByteLevelBPETokenizer.byteCharacters.map { String($0) }
        let tokens = bytes + ["ab", "abc", "Ġa", "bc"]
        let tokenizer = try ByteLevelBPETokenizer(tokens: tokens, merges: ["a b", "ab c", "Ġ a", "b c"], isolatesDigits: true)
        let id = { (t: String) in tokenizer.id(of: t)! }
        #expect(tokenizer.encode("abc") == [id("abc")])
        #expect(tokenizer.encode("bcab") == [id("bc"), id("ab")], "a b (rank 0) merges before b c (rank 3)")
        #expect(tokenizer.encode("abab ab") == [id("ab"), id("ab"), id("Ġ"), id("ab")], "a b (rank 0) takes the a before Ġ a (rank 2) can")
        #expect(tokenizer.encode(" ac") == [id("Ġa"), id("c")])
        #expect(tokenizer.encode("é") == [id("Ã"), id("©")])
        for text in ["", "abc abcabc", "e\u{301} é", "😀 \u{0} \u{7f} \n\t", String(repeating: "ab", count: 500)] {
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
        #expect(tokenizer.decode([id("Ã")]) == "\u{FFFD}", "a lone lead byte decodes to the replacement character")
        #expect(throws: BPEError.vocabulary("tokenizer", "merge 0 'a zz' is not two tokens")) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: ["a zz"], isolatesDigits: false)
        }
        #expect(throws: BPEError.vocabulary("tokenizer", "merge 0 'a b' makes 'ab', which is not a token")) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: ["a b"], isolatesDigits: false)
        }
        // A byte without a token is dropped before merging, as Hugging Face's BPE without an
        // unknown token does (SmolLM2's vocabulary lacks a few control bytes).
        let partial = try ByteLevelBPETokenizer(tokens: bytes.filter { $0 != "c" } + ["ab"], merges: ["a b"], isolatesDigits: false)
        #expect(partial.encode("acb") == [partial.id(of: "ab")!])
    }

    @Test(.enabled(if: ModelFolder.hasDecoder, ModelFolder.decoderSkipReason))
    func idsEqualHuggingFaceTokenizersOnTheModelsVocabulary() throws {
        let tokenizer = try ByteLevelBPETokenizer(gguf: GGUFFile(path: ModelFolder.decoder))
        #expect(tokenizer.tokens.count == 49152 && tokenizer.isolatesDigits)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/bpe-reference.json")
        struct Fixture: Decodable {
            struct Case: Decodable {
                let text: String
                let ids: [Int]
            }
            let cases: [Case]
        }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count >= 25)
        for c in fixture.cases {
            let ids = tokenizer.encode(c.text)
            #expect(ids == c.ids, "\(c.text.prefix(40).debugDescription)")
            #expect(tokenizer.decode(ids) == c.text)
        }
        // The shared reference's prompts, and a 100 kB text.
        #expect(tokenizer.encode("The quick brown fox jumps over the lazy dog.") == [504, 2365, 6354, 16438, 27003, 690, 260, 23790, 2767, 30])
        #expect(tokenizer.encode("Hello world") == [19556, 905])
        let long = String(repeating: fixture.cases.map(\.text).joined(separator: "\n"), count: 8)
        #expect(long.utf8.count > 100_000)
        #expect(tokenizer.decode(tokenizer.encode(long)) == long)
    }
}
