import Foundation

/// BERT's WordPiece tokenizer (uncased): `BertNormalizer` words, each split greedily into the
/// longest vocabulary pieces from the left, continuations prefixed `##`; a word with no split,
/// or longer than 100 characters, becomes `[UNK]`. The special tokens `[PAD] [UNK] [CLS] [SEP]
/// [MASK]` written literally in the text are matched first, as `tokenizers` does. Encodings are
/// `[CLS] … [SEP]`, truncated to `maxLength` (the model's 256 by default; the sentence-transformers
/// `tokenizer.json` pads and truncates to 128, which only matters for longer texts).
public struct WordPieceTokenizer: Sendable {
    /// Token to id.
    public let vocabulary: [String: Int]
    /// Id to token.
    public let tokens: [String]
    /// The longest encoding, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    public let unknown: Int, classification: Int, separator: Int, padding: Int
    static let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    static let maxCharactersPerWord = 100

    /// Reads `vocab.txt` (one token per line, id = line number).
    public init(vocabularyFile path: String, maxLength: Int = 256) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ModelError.file(path, "cannot read the vocabulary")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }, maxLength: maxLength, source: path)
    }

    /// A tokenizer over `tokens` (id = position); throws when a special token is missing or `maxLength` < 2. `source` names it in errors.
    public init(tokens: [String], maxLength: Int = 256, source: String = "vocabulary") throws {
        guard maxLength >= 2 else { throw ModelError.setting("maxLength must be ≥ 2 (room for [CLS] and [SEP]), got \(maxLength)") }
        var vocabulary = [String: Int]()
        for (i, t) in tokens.enumerated() where vocabulary[t] == nil { vocabulary[t] = i }
        for s in Self.specials.dropFirst(1).prefix(3) where vocabulary[s] == nil { throw ModelError.file(source, "the vocabulary has no \(s)") }
        self.vocabulary = vocabulary
        self.tokens = tokens
        self.maxLength = maxLength
        unknown = vocabulary["[UNK]"]!
        classification = vocabulary["[CLS]"]!
        separator = vocabulary["[SEP]"]!
        padding = vocabulary["[PAD]"] ?? 0
    }

    /// WordPiece ids of the text, without `[CLS]`/`[SEP]` and untruncated.
    public func pieces(_ text: String) -> [Int] {
        var ids = [Int]()
        for (segment, isSpecial) in splitSpecials(text) {
            if isSpecial {
                ids.append(vocabulary[segment]!)
                continue
            }
            for word in BertNormalizer.words(segment) { ids += wordPieces(word) }
        }
        return ids
    }

    /// `[CLS] pieces… [SEP]`, truncated to `maxLength`.
    public func encode(_ text: String) -> [Int] {
        [classification] + pieces(text).prefix(maxLength - 2) + [separator]
    }

    func wordPieces(_ word: String) -> [Int] {
        let chars = Array(word.unicodeScalars)
        guard chars.count <= Self.maxCharactersPerWord else { return [unknown] }
        var ids = [Int](), start = 0
        while start < chars.count {
            var end = chars.count, found: Int?
            while end > start {
                var piece = String(String.UnicodeScalarView(chars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknown] }
            ids.append(id)
            start = end
        }
        return ids
    }

    /// The text cut around literal special tokens.
    func splitSpecials(_ text: String) -> [(String, Bool)] {
        var out = [(String, Bool)](), segmentStart = text.startIndex, i = text.startIndex
        while let open = text[i...].firstIndex(of: "[") {
            if let special = Self.specials.first(where: { vocabulary[$0] != nil && text[open...].hasPrefix($0) }) {
                if open > segmentStart { out.append((String(text[segmentStart..<open]), false)) }
                out.append((special, true))
                i = text.index(open, offsetBy: special.count)
                segmentStart = i
            } else {
                i = text.index(after: open)
            }
        }
        if segmentStart < text.endIndex { out.append((String(text[segmentStart...]), false)) }
        return out
    }
}
