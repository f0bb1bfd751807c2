/// BERT's text normalisation and pre-tokenisation, as Hugging Face `tokenizers` does it
/// (`BertNormalizer` with `clean_text`, `handle_chinese_chars`, `lowercase` and accents stripped
/// because lowercasing is on; then `BertPreTokenizer`):
///
/// 1. clean: drop U+0000, U+FFFD and every "other" scalar (Cc, Cf, Cs, Co, Cn) except tab, newline
///    and carriage return; turn every White_Space scalar into a space;
/// 2. put spaces around CJK ideographs;
/// 3. strip accents: NFD, then drop the nonspacing marks (Mn);
/// 4. lowercase (full Unicode mapping);
/// 5. split on spaces, and isolate each punctuation scalar (ASCII punctuation, which includes
///    `$ + < = > ^ \` |`, and the Unicode P* categories).
public enum BertNormalizer {
    /// The words and punctuation marks of `text` after the steps above, ready for WordPiece.
    public static func words(_ text: String) -> [String] {
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            if v == 0 || v == 0xFFFD || isOther(s) && !isTabOrNewline(s) { continue }
            if isWhitespace(s) {
                cleaned.append(" ")
            } else if isCJK(v) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        var stripped = String.UnicodeScalarView()
        for s in String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars where s.properties.generalCategory != .nonspacingMark {
            stripped.append(s)
        }
        let lowered = String(stripped).lowercased()
        var words = [String](), current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for s in lowered.unicodeScalars {
            if isWhitespace(s) {
                flush()
            } else if isPunctuation(s) {
                flush()
                words.append(String(s))
            } else {
                current.append(s)
            }
        }
        flush()
        return words
    }

    static func isTabOrNewline(_ s: Unicode.Scalar) -> Bool { s == "\t" || s == "\n" || s == "\r" }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { isTabOrNewline(s) || s.properties.isWhitespace }

    static func isOther(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII, let b = UInt8(exactly: s.value),
            (0x21...0x2F).contains(b) || (0x3A...0x40).contains(b) || (0x5B...0x60).contains(b) || (0x7B...0x7E).contains(b)
        {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .closePunctuation, .finalPunctuation, .initialPunctuation, .otherPunctuation, .openPunctuation:
            return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT treats as words of their own.
    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v) || (0x2A700...0x2B73F).contains(v)
            || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v) || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
