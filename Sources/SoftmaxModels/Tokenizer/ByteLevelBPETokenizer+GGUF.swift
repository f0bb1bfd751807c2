extension ByteLevelBPETokenizer {
    /// The tokenizer a GGUF file carries: `tokenizer.ggml.tokens` and `tokenizer.ggml.merges`, with
    /// the pre-tokenizer `tokenizer.ggml.pre` names. Only byte-level BPE (`tokenizer.ggml.model =
    /// gpt2`) with the GPT-2 pattern (`gpt2`, `default`) or that pattern after isolating digits
    /// (`smollm`, `starcoder`, `refact`, `codeshell`, `command-r`, `exaone`) is read; other models and
    /// pre-tokenizers are refused by name rather than tokenized wrongly.
    public init(gguf file: GGUFFile) throws {
        let model = try file.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw GGUFError.invalid(file: file.path, key: "tokenizer.ggml.model", "'\(model)'; only byte-level BPE ('gpt2') is read")
        }
        let pre = file.header.value("tokenizer.ggml.pre") == nil ? "default" : try file.string("tokenizer.ggml.pre")
        let isolatesDigits: Bool
        switch pre {
        case "gpt2", "default": isolatesDigits = false
        case "smollm", "starcoder", "refact", "codeshell", "command-r", "exaone": isolatesDigits = true
        default:
            throw GGUFError.invalid(file: file.path, key: "tokenizer.ggml.pre", "pre-tokenizer '\(pre)' is not supported (gpt2 and smollm-style are)")
        }
        do {
            try self.init(
                tokens: file.strings("tokenizer.ggml.tokens"), merges: file.strings("tokenizer.ggml.merges"),
                isolatesDigits: isolatesDigits, source: file.path)
        } catch let BPEError.vocabulary(_, why) {
            throw GGUFError.invalid(file: file.path, key: "tokenizer.ggml.tokens", why)
        }
    }
}
