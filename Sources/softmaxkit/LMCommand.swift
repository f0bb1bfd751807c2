import ArgumentParser
import Dispatch
import Foundation
import SoftmaxKit
import SoftmaxModels
import SoftmaxNumPy

/// `softmaxkit lm …`: the decoder lab on a Llama-architecture GGUF model (SmolLM2-135M-Instruct by
/// default): perplexity under a swapped attention normalizer or gate activation, tokenizing, the
/// logits of every position, generation, and a speed benchmark.
struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "A real decoder LM (SmolLM2-135M-Instruct, GGUF) with a swappable attention normalizer and gate activation.",
        discussion: """
            Fetch the model first: scripts/fetch-models.sh (or make models). Any Llama-architecture \
            GGUF file with byte-level BPE works with --model (F32, F16, BF16, Q4_0, Q4_1, Q8_0 weights).
            """,
        subcommands: [LMPerplexityCommand.self, LMTokenizeCommand.self, LMLogitsCommand.self, LMGenerateCommand.self, LMBenchCommand.self],
        defaultSubcommand: LMPerplexityCommand.self)
}

/// The model and swap options the `lm` subcommands share.
struct LMOptions: ParsableArguments {
    static let defaultModel = "models/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf"

    @Option(help: "A Llama-architecture GGUF file.")
    var model: String = LMOptions.defaultModel

    @Option(help: "A normalizer id to use inside attention instead of softmax.")
    var normalizer: String?

    @Option(help: "An activation id to use on the feed-forward gate instead of SiLU.")
    var activation: String?

    @Option(name: .customLong("param"), help: "A parameter for the swapped method, NAME=VALUE.")
    var parameters: [String] = []

    @Option(help: "Layers the swap applies to, e.g. 0,2-3 (default: all).")
    var layers: String?

    @Option(help: "Threads (default: the active cores).")
    var threads: Int?

    var threadCount: Int { threads ?? RowParallel.activeCores }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        if normalizer != nil && activation != nil { throw ValidationError("give at most one of --normalizer, --activation") }
    }

    func load() throws -> (decoder: LlamaDecoder, tokenizer: ByteLevelBPETokenizer) {
        guard FileManager.default.fileExists(atPath: model) else {
            throw ValidationErrorMessage("--model \(model): no such file (run scripts/fetch-models.sh, or point --model at a GGUF file)")
        }
        return try LlamaDecoder.load(path: model)
    }

    /// The swap the options ask for; every `--param` must belong to the swapped method.
    func swap(layerCount: Int) throws -> EncoderSwap {
        let values = try parseParameters(parameters)
        guard let id = normalizer ?? activation else {
            if layers != nil || !values.isEmpty { throw ValidationError("--layers and --param need a --normalizer or --activation") }
            return EncoderSwap()
        }
        let known = Set(try MethodRegistry.complete.method(id).parameters.map(\.name))
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationErrorMessage("--param \(unknown): \(id) does not take it (see softmaxkit methods)")
        }
        return normalizer != nil
            ? try EncoderSwap.make(normalizer: id, parameters: values, layers: layers, layerCount: layerCount)
            : try EncoderSwap.make(activation: id, parameters: values, layers: layers, layerCount: layerCount)
    }
}

/// Reads a text file as UTF-8, invalid sequences replaced (U+FFFD), naming the file when it cannot be read.
func readText(_ path: String, option: String) throws -> String {
    if let why = NpyFile.notARegularFile(path) { throw ValidationErrorMessage("\(option) \(path): \(why)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationErrorMessage("\(option) \(path): cannot read it") }
    return String(decoding: data, as: UTF8.self)
}

struct LMPerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity on a text: non-overlapping windows from position 0, no BOS (the default subcommand).",
        discussion: """
            The NLL of positions 1 … len − 1 of each window, summed over windows; PPL = exp(total / \
            predicted). Examples:
              softmaxkit lm perplexity --text models/eval/para2para_text1.txt
              softmaxkit lm perplexity --text FILE --normalizer puma-softmax --layers 0-9
            """)

    @OptionGroup var options: LMOptions

    @Option(help: "A UTF-8 text file (invalid bytes are replaced).")
    var text: String = "models/eval/para2para_text1.txt"

    @Option(help: "Tokens per window.")
    var window: Int = 512

    @Flag(help: "Print the result as JSON (ppl, n_tokens, n_predicted, total_nll, per-window NLL).")
    var json = false

    func run() throws {
        let source = try readText(text, option: "--text")
        let (decoder, tokenizer) = try options.load()
        let swap = try options.swap(layerCount: decoder.config.layers)
        let ids = tokenizer.encode(source)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try Perplexity.evaluate(decoder, ids: ids, window: window, swap: swap, threads: options.threadCount, progress: progress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(
                String(
                    format: "lm perplexity: %@, %d tokens (%d predicted) in windows of %d: PPL %.4f [%.1f s]", swap.label, result.tokens,
                    result.predicted, window, result.ppl, seconds))
        }
    }
}

struct LMTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "The token ids of a text (no BOS added).")

    @OptionGroup var options: LMOptions

    @Option(help: "The text.")
    var text: String

    @Flag(help: "Print the ids as a JSON array.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: options.model) else {
            throw ValidationErrorMessage("--model \(options.model): no such file (run scripts/fetch-models.sh)")
        }
        let tokenizer = try ByteLevelBPETokenizer(gguf: GGUFFile(path: options.model))
        let ids = tokenizer.encode(text)
        if json {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        } else {
            for id in ids { print(id, tokenizer.tokens[id].debugDescription) }
        }
    }
}

struct LMLogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits", abstract: "The logits of every position of a text as a float32 .npy [tokens × vocabulary].")

    @OptionGroup var options: LMOptions

    @Option(help: "The text.")
    var text: String

    @Option(help: "The .npy file to write.")
    var output: String

    func run() throws {
        let (decoder, tokenizer) = try options.load()
        let ids = tokenizer.encode(text)
        guard !ids.isEmpty else { throw ValidationError("--text is empty: no tokens") }
        let swap = try options.swap(layerCount: decoder.config.layers)
        let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder), swap: swap, threads: options.threadCount)
        try NpyFile.write(Tensor(shape: [ids.count, decoder.config.vocabulary], logits), to: output)
        progress("lm logits: \(ids.count) × \(decoder.config.vocabulary) to \(output)")
    }
}

struct LMGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt, streaming tokens to stdout, through the sample-token sampler.",
        discussion: """
            Temperature 0 is greedy. Example:
              softmaxkit lm generate --prompt "The capital of France is" --max-tokens 20 --temperature 0.7 --top-p 0.9 --seed 1
            """)

    @OptionGroup var options: LMOptions

    @Option(help: "The prompt.")
    var prompt: String

    @Option(help: "Tokens to generate.")
    var maxTokens: Int = 32

    @Option(help: "Sampling temperature (0: greedy).")
    var temperature: Double = 0

    @Option(help: "Keep the k most likely tokens (0: all).")
    var topK: Int = 0

    @Option(help: "Keep the smallest set of tokens whose probability reaches p.")
    var topP: Double = 1

    @Option(help: "Drop tokens below min-p times the top token's probability.")
    var minP: Double = 0

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 0

    func run() throws {
        guard maxTokens >= 1, maxTokens <= 1 << 16 else { throw ValidationError("--max-tokens must be in 1…65536, got \(maxTokens)") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be finite and ≥ 0, got \(temperature)") }
        let (decoder, tokenizer) = try options.load()
        let swap = try options.swap(layerCount: decoder.config.layers)
        var ids = tokenizer.encode(prompt)
        guard !ids.isEmpty else { throw ValidationError("--prompt is empty: no tokens") }
        let sampler: (any Sampler)? =
            temperature == 0
            ? nil
            : try MethodRegistry.standard.sampler(
                "sample-token",
                parameters: ["temperature": .number(temperature), "top_k": .number(Double(topK)), "top_p": .number(topP), "min_p": .number(minP)])
        var generator = SeededGenerator(seed: seed)
        let cache = LlamaCache(for: decoder)
        var logits = try decoder.forward(ids, cache: cache, swap: swap, lastOnly: true, threads: options.threadCount)
        var printed = tokenizer.bytes(ids).count
        FileHandle.standardOutput.write(Data(prompt.utf8))
        for _ in 0..<maxTokens {
            let next: Int
            if let sampler {
                guard let token = try sampler.next(logits.map(Double.init), using: &generator).first else { break }
                next = token.id
            } else {
                next = logits.indices.max { logits[$0] < logits[$1] }!
            }
            ids.append(next)
            // Stream whole characters: print the bytes once they decode without a cut sequence.
            let bytes = tokenizer.bytes(ids)
            if let text = String(validating: bytes[printed...], as: UTF8.self) {
                FileHandle.standardOutput.write(Data(text.utf8))
                printed = bytes.count
            }
            guard cache.length < decoder.config.contextLength else { break }
            logits = try decoder.forward([next], cache: cache, swap: swap, lastOnly: true, threads: options.threadCount)
        }
        print("")
    }
}

struct LMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Prefill and decode speed: tokens/s for a prompt, and for greedy steps after a 128-token prompt.")

    @OptionGroup var options: LMOptions

    @Option(help: "Prompt tokens timed for prefill.")
    var prefill: Int = 512

    @Option(help: "Greedy decode steps timed after a 128-token prompt.")
    var decode: Int = 64

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let (decoder, tokenizer) = try options.load()
        guard (1...decoder.config.contextLength).contains(prefill), (1...(decoder.config.contextLength - 128)).contains(decode) else {
            throw ValidationError("--prefill must be in 1…\(decoder.config.contextLength) and --decode in 1…\(decoder.config.contextLength - 128)")
        }
        let text = try readText("models/eval/para2para_text1.txt", option: "the benchmark text")
        var ids = tokenizer.encode(text)
        while ids.count < prefill + 128 { ids += ids }
        let threads = options.threadCount
        _ = try decoder.forward(Array(ids.prefix(16)), cache: LlamaCache(for: decoder), lastOnly: true, threads: threads)  // warm-up
        var start = DispatchTime.now().uptimeNanoseconds
        _ = try decoder.forward(Array(ids.prefix(prefill)), cache: LlamaCache(for: decoder), lastOnly: true, threads: threads)
        let prefillSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cache = LlamaCache(for: decoder)
        var logits = try decoder.forward(Array(ids.prefix(128)), cache: cache, lastOnly: true, threads: threads)
        start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<decode {
            let next = logits.indices.max { logits[$0] < logits[$1] }!
            logits = try decoder.forward([next], cache: cache, lastOnly: true, threads: threads)
        }
        let decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let prefillRate = Double(prefill) / prefillSeconds, decodeRate = Double(decode) / decodeSeconds
        if json {
            print(
                "{\"prefill\": \(prefill), \"decode\": \(decode), \"threads\": \(threads), \"prefill_tokens_per_second\": \(String(format: "%.1f", prefillRate)), \"decode_tokens_per_second\": \(String(format: "%.2f", decodeRate))}"
            )
        } else {
            print(
                String(
                    format: "lm bench: %d thread(s): prefill %d tokens %.1f tokens/s; decode %d steps %.2f tokens/s", threads, prefill, prefillRate, decode,
                    decodeRate))
        }
    }
}
