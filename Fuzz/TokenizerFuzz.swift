// libFuzzer entry point for the BERT tokenizer: BertNormalizer's cleaning, accent stripping and
// splitting, then WordPiece. Built by Fuzz/run-tokenizer-fuzz.sh together with the two tokenizer
// files and BertConfig.swift (for ModelError) alone.

/// A small vocabulary with the special tokens, single characters (ASCII, accented Latin, CJK, an
/// emoji), their `##` continuations and a few whole words, so that every path of WordPiece runs:
/// whole words, greedy pieces, continuations, and `[UNK]` for what cannot be spelt.
let vocabulary: [String] = {
    var tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    let characters = (Array("abcdefghijklmnopqrstuvwxyz0123456789.,!?'-") + ["é", "ß", "中", "文", "😀"]).map(String.init)
    tokens += characters + characters.map { "##" + $0 }
    tokens += ["the", "quick", "brown", "fox", "##ing", "##ed", "un", "##able", "token", "##izer"]
    return tokens
}()
let tokenizer: WordPieceTokenizer = {
    do { return try WordPieceTokenizer(tokens: vocabulary, maxLength: 64) } catch { fatalError("the fuzzer's vocabulary: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    let words = BertNormalizer.words(text)
    precondition(words.allSatisfy { !$0.isEmpty && !$0.unicodeScalars.contains { $0.properties.isWhitespace } }, "an empty or spaced word")
    let ids = tokenizer.encode(text)
    precondition(ids.first == tokenizer.classification && ids.last == tokenizer.separator, "not [CLS] … [SEP]")
    precondition(ids.count >= 2 && ids.count <= tokenizer.maxLength, "length \(ids.count) outside 2…\(tokenizer.maxLength)")
    precondition(ids.allSatisfy { $0 >= 0 && $0 < vocabulary.count }, "an id outside the vocabulary")
    precondition(tokenizer.encode(text) == ids, "encoding is not deterministic")
    // Normalising is idempotent on its own output: the words of the joined words are the words.
    precondition(BertNormalizer.words(words.joined(separator: " ")) == words, "normalising twice changes the words")
    return 0
}
