/// The pre-tokenizer of GPT-2-style byte-level BPE models: text split into the pieces BPE then
/// merges within, never across.
///
/// Pieces follow GPT-2's pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, written out as
/// a scanner (as llama.cpp's `unicode_regex_split_custom_gpt2` does) rather than a regex engine:
/// contractions (case-sensitive), an optional single space then letters, numbers, or other
/// symbols, and runs of white space that leave their last character to the next piece when a
/// non-space follows. With `isolatesDigits` (SmolLM's `pre = smollm`, Hugging Face's `Digits`
/// with `individual_digits`), every \p{N} character is a piece of its own first.
///
/// Letters are the Unicode categories L*, numbers N*, white space the White_Space property.
public enum ByteLevelPreTokenizer {
    /// The pieces of `text`, in order; they concatenate to `text`.
    public static func split(_ text: String, isolatesDigits: Bool) -> [Substring.UnicodeScalarView] {
        let scalars = text.unicodeScalars
        guard isolatesDigits else { return gpt2(scalars[...]) }
        var pieces: [Substring.UnicodeScalarView] = []
        var start = scalars.startIndex
        var i = start
        while i < scalars.endIndex {
            if isNumber(scalars[i]) {
                if start < i { pieces += gpt2(scalars[start..<i]) }
                let next = scalars.index(after: i)
                pieces.append(scalars[i..<next])
                start = next
                i = next
            } else {
                i = scalars.index(after: i)
            }
        }
        if start < scalars.endIndex { pieces += gpt2(scalars[start...]) }
        return pieces
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    /// GPT-2's pattern over one stretch of text.
    static func gpt2(_ text: Substring.UnicodeScalarView) -> [Substring.UnicodeScalarView] {
        let scalars = Array(text)
        var indices = Array(text.indices)
        indices.append(text.endIndex)
        var pieces: [Substring.UnicodeScalarView] = []
        var pos = 0
        let end = scalars.count
        func at(_ k: Int) -> Unicode.Scalar? { k < end ? scalars[k] : nil }
        func add(_ length: Int) {
            pieces.append(text[indices[pos]..<indices[pos + length]])
            pos += length
        }
        while pos < end {
            let c = scalars[pos]
            // Contractions: 's 't 'm 'd, then 're 've 'll.
            if c == "'", let n = at(pos + 1) {
                if n == "s" || n == "t" || n == "m" || n == "d" {
                    add(2)
                    continue
                }
                if let n2 = at(pos + 2), (n == "r" && n2 == "e") || (n == "v" && n2 == "e") || (n == "l" && n2 == "l") {
                    add(3)
                    continue
                }
            }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
            let space = c == " " ? 1 : 0
            if let head = at(pos + space) {
                let run: ((Unicode.Scalar) -> Bool)?
                if isLetter(head) {
                    run = isLetter
                } else if isNumber(head) {
                    run = isNumber
                } else if !isSpace(head) {
                    run = { !isSpace($0) && !isLetter($0) && !isNumber($0) }
                } else {
                    run = nil
                }
                if let run {
                    var length = space + 1
                    while let s = at(pos + length), run(s) { length += 1 }
                    add(length)
                    continue
                }
            }
            // `\s+(?!\S)|\s+`: a white-space run; when more text follows, its last character is left
            // to start the next piece.
            var spaces = 0
            while let s = at(pos + spaces), isSpace(s) { spaces += 1 }
            if spaces > 1 && pos + spaces < end {
                add(spaces - 1)
            } else if spaces > 0 {
                add(spaces)
            } else {
                add(1)
            }
        }
        return pieces
    }
}
