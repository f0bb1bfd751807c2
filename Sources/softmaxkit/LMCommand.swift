import ArgumentParser
import Dispatch
import Foundation
import SoftmaxKit
import SoftmaxLab
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
        subcommands: [
            LMPerplexityCommand.self, LMSweepCommand.self, LMRecordCommand.self, LMTokenizeCommand.self, LMLogitsCommand.self, LMGenerateCommand.self,
            LMBenchCommand.self,
        ],
        defaultSubcommand: LMPerplexityCommand.self)
}

/// The model and swap options the `lm` subcommands share.
struct LMOptions: ParsableArguments {
    static let defaultModel = "models/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf"

    @Option(help: "A Llama-architecture GGUF file.")
    var model: String = LMOptions.defaultModel

    @Option(help: "A normalizer id to use inside attention instead of softmax.")
    var normalizer: String?

    @Option(help: "A causal attention engine id to use instead of exact attention (see softmaxkit methods).")
    var attention: String?

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
        if normalizer != nil && attention != nil { throw ValidationError("give at most one of --normalizer, --attention (an engine brings its own)") }
    }

    /// The decoder, its tokenizer and the swap asked for; the swap is checked against the model's
    /// config before the weights are read, so a bad option fails at once.
    func load() throws -> (decoder: LlamaDecoder, tokenizer: ByteLevelBPETokenizer, swap: EncoderSwap) {
        guard FileManager.default.fileExists(atPath: model) else {
            throw ValidationErrorMessage("--model \(model): no such file (run scripts/fetch-models.sh, or point --model at a GGUF file)")
        }
        let file = try GGUFFile(path: model)
        let config = try LlamaConfig(gguf: file)
        let swap = try swap(layerCount: config.layers)
        let tokenizer = try ByteLevelBPETokenizer(gguf: file)
        return (try LlamaDecoder(config: config, weights: try LlamaWeights.load(file, config: config)), tokenizer, swap)
    }

    /// The swap the options ask for; every `--param` must belong to a swapped method.
    func swap(layerCount: Int) throws -> EncoderSwap {
        let values = try parseParameters(parameters)
        guard normalizer != nil || activation != nil || attention != nil else {
            if layers != nil || !values.isEmpty { throw ValidationError("--layers and --param need a --normalizer, --attention or --activation") }
            return EncoderSwap()
        }
        return try EncoderSwap.make(
            normalizer: normalizer, activation: activation, attention: attention, parameters: values, layers: layers, layerCount: layerCount, causal: true)
    }
}

/// The text the perplexity and the sweep evaluate, its windows and how much of it.
struct LMTextOptions: ParsableArguments {
    @Option(help: "A UTF-8 text file (invalid bytes are replaced).")
    var text: String = "models/eval/para2para_text1.txt"

    @Option(help: "Tokens per window.")
    var window: Int = 512

    @Option(help: "Evaluate the first N tokens of the text only (default: all).")
    var tokens: Int?

    func validate() throws {
        if window < 2 { throw ValidationError("--window must be ≥ 2, got \(window)") }
        if let tokens, tokens < 2 { throw ValidationError("--tokens must be ≥ 2, got \(tokens)") }
    }

    /// The text file's contents (read before the model, so a bad path fails at once).
    func source() throws -> String { try readText(text, option: "--text") }

    /// The ids of `source`, cut to `--tokens`.
    func ids(_ source: String, _ tokenizer: ByteLevelBPETokenizer) -> [Int] {
        let all = tokenizer.encode(source)
        return tokens.map { Array(all.prefix($0)) } ?? all
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

    @OptionGroup var evaluation: LMTextOptions

    @Flag(help: "Print the result as JSON (ppl, n_tokens, n_predicted, total_nll, per-window NLL).")
    var json = false

    func run() throws {
        let source = try evaluation.source()
        let (decoder, tokenizer, swap) = try options.load()
        let ids = evaluation.ids(source, tokenizer)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try Perplexity.evaluate(decoder, ids: ids, window: evaluation.window, swap: swap, threads: options.threadCount, progress: progress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(
                String(
                    format: "lm perplexity: %@, %d tokens (%d predicted) in windows of %d: PPL %.4f [%.1f s]", swap.label, result.tokens,
                    result.predicted, evaluation.window, result.ppl, seconds))
        }
    }
}

struct LMSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Every swap against the exact decoder: perplexity and its change, top-1 agreement, mean KL of next-token distributions.",
        discussion: """
            Without a swap option: every cheap exponential inside softmax, every normalizer, every causal \
            attention engine and every SiLU approximation, each in all layers (lm.json). With a swap \
            option and --per-layer: that swap in one layer at a time (lm-layers.json and lm-layers.svg, \
            the sensitivity curve). Both go to --output, and into its report.html. Examples:
              softmaxkit lm sweep --tokens 1024
              softmaxkit lm sweep --per-layer --normalizer puma-softmax
            """)

    @OptionGroup var options: LMOptions

    @OptionGroup var evaluation: LMTextOptions

    @Flag(help: "Run the swap given (--normalizer, --attention or --activation) in each layer alone.")
    var perLayer = false

    @Option(help: "Run shard K of N (K/N): the K-th of N contiguous blocks of the swaps (the exact model in every shard); 'report' joins the shards.")
    var shard: String?

    @Option(help: "The results folder.")
    var output: String = ResultsFolder.defaultPath

    func validate() throws {
        _ = try ShardOption.parse(shard)
        if perLayer && options.layers != nil { throw ValidationError("--per-layer runs every layer alone; leave out --layers") }
        if perLayer && options.normalizer == nil && options.attention == nil && options.activation == nil {
            throw ValidationError("--per-layer needs a swap: --normalizer, --attention or --activation")
        }
    }

    func run() throws {
        try ResultsFolder.prepare(output)
        let source = try evaluation.source()
        let (decoder, tokenizer, given) = try options.load()
        let layers = decoder.config.layers
        var swaps: [EncoderSwap]
        if perLayer {
            swaps = DecoderLab.perLayer(given, layerCount: layers)
        } else {
            swaps = given.label == "exact" ? try DecoderLab.sweepSwaps(layerCount: layers) : [given]
        }
        let shard = try ShardOption.parse(self.shard)
        if let shard { swaps = shard.block(of: swaps, note: progress) }
        let results = try DecoderLab.run(
            decoder, ids: evaluation.ids(source, tokenizer), window: evaluation.window, swaps: swaps, threads: options.threadCount,
            model: options.model, text: evaluation.text, note: progress)
        let name = perLayer ? "lm-layers" : "lm"
        var files: [OutputFolder.File] = [.data(shard?.fileName(name) ?? name + ".json", try results.encoded())]
        if perLayer && shard == nil { files.append(.text(name + ".svg", DecoderLab.layerPlot(results))) }
        for path in try ResultsFolder.commit(files, to: output) { progress("lm sweep: wrote \(path)") }
        print(DecoderLab.table(results))
    }
}

struct LMRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Real decoder workloads as .npy: each layer's causal attention logits, head 0's Q, K, V, and the LM head's logits.",
        discussion: """
            One pass over the first --tokens tokens of --text. Per layer L: layerL-logits.npy \
            [heads·n × n] (−∞ above the diagonal: the masked keys), layerL-{q,k,v}.npy [n × 64]; and \
            lm-head-logits.npy [n × 49152]. Then:
              softmaxkit accuracy softmax puma-softmax --recorded DIR/layer3-logits.npy
              softmaxkit accuracy --attention --qkv DIR/layer3-q.npy,DIR/layer3-k.npy,DIR/layer3-v.npy
            """)

    @OptionGroup var options: LMOptions

    @Option(help: "A UTF-8 text file (invalid bytes are replaced).")
    var text: String = "models/eval/para2para_text1.txt"

    @Option(help: "Tokens recorded from the start of the text.")
    var tokens: Int = 256

    @Option(help: "The folder to write (the files are written as one set).")
    var output: String

    func validate() throws {
        if !(2...4096).contains(tokens) { throw ValidationError("--tokens must be in 2…4096, got \(tokens)") }
        if options.normalizer != nil || options.attention != nil || options.activation != nil || options.layers != nil {
            throw ValidationError("lm record records the exact model; leave out the swap options")
        }
    }

    func run() throws {
        try ResultsFolder.prepare(output)
        let source = try readText(text, option: "--text")
        let (decoder, tokenizer, _) = try options.load()
        let ids = Array(tokenizer.encode(source).prefix(min(tokens, decoder.config.contextLength)))
        guard ids.count >= 2 else { throw ValidationError("--text \(text) has \(ids.count) token(s); at least 2 are needed") }
        let tensors = try DecoderLab.recording(decoder, ids: ids, threads: options.threadCount)
        let written = try ResultsFolder.commit(tensors.map { entry in .data(entry.name, NpyFile.encode(entry.tensor)) }, to: output)
        progress("lm record: \(written.count) files for \(ids.count) tokens in \(output)")
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
        let (decoder, tokenizer, swap) = try options.load()
        let ids = tokenizer.encode(text)
        guard !ids.isEmpty else { throw ValidationError("--text is empty: no tokens") }
        let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder), swap: swap, threads: options.threadCount)
        try NpyFile.write(Tensor(shape: [ids.count, decoder.config.vocabulary], logits), to: output)
        progress("lm logits: \(ids.count) × \(decoder.config.vocabulary) to \(output)")
    }
}

struct LMGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt, streaming tokens to stdout, through the sample-token sampler; optionally soft-thinking first.",
        discussion: """
            Temperature 0 is greedy. --sampler-order hf applies the temperature before top-k, top-p
            and min-p (Hugging Face); llama.cpp applies the filters to softmax(logits) first and the
            temperature to the tokens they keep.

            --soft-thinking feeds, for up to --thinking-tokens positions, the probability-weighted
            mean of the embeddings of the --max-topk most likely tokens (soft-thinking-weights)
            instead of a sampled token, then answers with discrete tokens. Thinking ends when the soft
            token's first id is the --think-end token, when the entropy stays below
            --cold-stop-entropy for --cold-stop-steps steps, or at the limit; the think-end token is
            then fed. The thinking phase prints each soft token's first id; stderr gets a summary.
            Examples:
              softmaxkit lm generate --prompt "The capital of France is" --max-tokens 20 --temperature 0.7 --top-p 0.9 --seed 1
              softmaxkit lm generate --prompt "Q: 12 + 30 = ? Think, then answer." --soft-thinking --temperature 0.6 --top-p 0.95 --think-end " Answer:" --thinking-tokens 32
            """)

    @OptionGroup var options: LMOptions

    @Option(help: "The prompt.")
    var prompt: String

    @Option(help: "Answer tokens to generate.")
    var maxTokens: Int = 32

    @Option(help: "Sampling temperature (0: greedy).")
    var temperature: Double = 0

    @Option(help: "Keep the k most likely tokens (0: all).")
    var topK: Int = 0

    @Option(help: "Keep the smallest set of tokens whose probability reaches p.")
    var topP: Double = 1

    @Option(help: "Drop tokens below min-p times the top token's probability.")
    var minP: Double = 0

    @Option(help: "Where the temperature acts: hf (before the filters) or llama.cpp (after them).")
    var samplerOrder: String = "hf"

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 0

    @Flag(help: "Think with soft tokens (probability-weighted embeddings) before answering.")
    var softThinking = false

    @Option(help: "Soft thinking: tokens mixed into each soft token.")
    var maxTopk: Int = 10

    @Option(help: "Soft thinking: soft tokens at most.")
    var thinkingTokens: Int = 64

    @Option(help: "Soft thinking: the text whose token ends thinking (a vocabulary entry, else its last token).")
    var thinkEnd: String?

    @Option(help: "Soft thinking: end thinking once the entropy (nats) stays below this (0: off).")
    var coldStopEntropy: Double = 0

    @Option(help: "Soft thinking: steps in a row the entropy must stay low.")
    var coldStopSteps: Int = 8

    @Option(help: "Soft thinking: Dirichlet noise concentration (≥ 1e6: none).")
    var dirichletAlpha: Double = 1e20

    @Option(help: "Soft thinking: Gumbel-softmax temperature (default: no Gumbel noise).")
    var gumbelTau: Double?

    func validate() throws {
        guard maxTokens >= 1, maxTokens <= 1 << 16 else { throw ValidationError("--max-tokens must be in 1…65536, got \(maxTokens)") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be finite and ≥ 0, got \(temperature)") }
        guard !prompt.isEmpty else { throw ValidationError("--prompt is empty: no tokens") }
        guard SoftThinking.Order(rawValue: samplerOrder) != nil else {
            throw ValidationError("--sampler-order must be hf or llama.cpp, got '\(samplerOrder)'")
        }
        guard softThinking else {
            for (set, name) in [
                (thinkEnd != nil, "--think-end"), (coldStopEntropy != 0, "--cold-stop-entropy"), (gumbelTau != nil, "--gumbel-tau"),
                (dirichletAlpha != 1e20, "--dirichlet-alpha"),
            ] where set {
                throw ValidationError("\(name) applies to soft thinking only: add --soft-thinking")
            }
            return
        }
        guard temperature > 0 else { throw ValidationError("--soft-thinking needs --temperature > 0: soft tokens weigh softmax(logits/T)") }
        guard maxTopk >= 1, maxTopk <= 1 << 16 else { throw ValidationError("--max-topk must be in 1…65536, got \(maxTopk)") }
        guard thinkingTokens >= 1, thinkingTokens <= 1 << 16 else { throw ValidationError("--thinking-tokens must be in 1…65536, got \(thinkingTokens)") }
        guard coldStopEntropy.isFinite, coldStopEntropy >= 0 else {
            throw ValidationError("--cold-stop-entropy must be finite and ≥ 0, got \(coldStopEntropy)")
        }
        guard coldStopSteps >= 1 else { throw ValidationError("--cold-stop-steps must be ≥ 1, got \(coldStopSteps)") }
        guard dirichletAlpha > 0, dirichletAlpha.isFinite else { throw ValidationError("--dirichlet-alpha must be finite and > 0, got \(dirichletAlpha)") }
        if let tau = gumbelTau, !(tau > 0 && tau.isFinite) { throw ValidationError("--gumbel-tau must be finite and > 0, got \(tau)") }
        if let thinkEnd, thinkEnd.isEmpty { throw ValidationError("--think-end is empty: no token") }
    }

    func run() throws {
        let filters = SoftThinking.Filters(
            temperature: max(temperature, 1e-300), topK: topK, topP: topP, minP: minP, order: SoftThinking.Order(rawValue: samplerOrder)!)
        let sampler: (any Sampler)? =
            temperature == 0
            ? nil
            : try MethodRegistry.standard.sampler(
                "sample-token",
                parameters: [
                    "temperature": .number(temperature), "top_k": .number(Double(topK)), "top_p": .number(topP), "min_p": .number(minP),
                    "order": .string(samplerOrder),
                ])
        let (decoder, tokenizer, swap) = try options.load()
        let ids = tokenizer.encode(prompt)
        guard !ids.isEmpty else { throw ValidationError("--prompt has no tokens the model knows") }
        var thinking: LlamaGenerator.SoftThinkingPhase?
        if softThinking {
            let end = try thinkEnd.map { text in
                guard let id = tokenizer.id(of: text) ?? tokenizer.encode(text).last else {
                    throw ValidationError("--think-end '\(text)' has no tokens the model knows")
                }
                return id
            }
            thinking = LlamaGenerator.SoftThinkingPhase(
                sampler: SoftThinkingSampler(filters: filters, maxTopK: maxTopk, gumbelTau: gumbelTau, dirichletAlpha: dirichletAlpha),
                maxSteps: thinkingTokens, thinkEnd: end, coldStop: coldStopEntropy > 0 ? (coldStopEntropy, coldStopSteps) : nil)
        }
        var generator = SeededGenerator(seed: seed)
        var shown = ids
        var printed = tokenizer.bytes(ids).count
        FileHandle.standardOutput.write(Data(prompt.utf8))
        let summary = try LlamaGenerator(decoder: decoder, swap: swap, threads: options.threadCount).generate(
            prompt: ids, maxTokens: maxTokens, sampler: sampler, thinking: thinking, using: &generator
        ) { step in
            shown.append(step.token)
            // Stream whole characters: print the bytes once they decode without a cut sequence.
            let bytes = tokenizer.bytes(shown)
            if let text = String(validating: bytes[printed...], as: UTF8.self) {
                FileHandle.standardOutput.write(Data(text.utf8))
                printed = bytes.count
            }
        }
        print("")
        if let end = summary.thinkingEnd {
            progress(
                "soft thinking: \(summary.thinkingSteps) soft tokens, ended by the \(end.rawValue); \(summary.answerTokens) answer tokens")
        }
    }
}

struct LMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Prefill and decode speed: tokens/s for a prompt, and for greedy steps after a shorter prompt (median of repeats).",
        discussion: """
            The tokens are the start of models/eval/para2para_text1.txt (repeated when it runs out). \
            Benchmarks/lm_peers.py times PyTorch on the same protocol in the same run.
            """)

    @OptionGroup var options: LMOptions

    @Option(help: "Prompt tokens timed for prefill.")
    var prefill: Int = 512

    @Option(help: "Greedy decode steps timed after the --context prompt.")
    var decode: Int = 64

    @Option(help: "Prompt tokens before the timed decode steps.")
    var context: Int = 128

    @Option(help: "Timed repeats of each; the median is reported.")
    var repeats: Int = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        for (name, value) in [("--prefill", prefill), ("--decode", decode), ("--context", context), ("--repeats", repeats)] where value < 1 {
            throw ValidationError("\(name) must be ≥ 1, got \(value)")
        }
    }

    func run() throws {
        let text = try readText("models/eval/para2para_text1.txt", option: "the benchmark text")
        let (decoder, tokenizer, swap) = try options.load()
        let n = decoder.config.contextLength
        guard prefill <= n, context + decode <= n else {
            throw ValidationError("--prefill must be ≤ \(n) and --context + --decode ≤ \(n) (the model's context)")
        }
        var ids = tokenizer.encode(text)
        guard !ids.isEmpty else { throw ValidationError("the benchmark text has no tokens") }
        while ids.count < max(prefill, context) { ids += ids }
        let threads = options.threadCount
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        _ = try decoder.forward(Array(ids.prefix(16)), cache: LlamaCache(for: decoder), swap: swap, lastOnly: true, threads: threads)  // warm-up
        let prefillSeconds = median(
            try (0..<repeats).map { _ in
                try seconds {
                    _ = try decoder.forward(Array(ids.prefix(prefill)), cache: LlamaCache(for: decoder), swap: swap, lastOnly: true, threads: threads)
                }
            })
        let decodeSeconds = median(
            try (0..<repeats).map { _ in
                let cache = LlamaCache(for: decoder)
                var logits = try decoder.forward(Array(ids.prefix(context)), cache: cache, swap: swap, lastOnly: true, threads: threads)
                return try seconds {
                    for _ in 0..<decode {
                        let next = logits.indices.max { logits[$0] < logits[$1] }!
                        logits = try decoder.forward([next], cache: cache, swap: swap, lastOnly: true, threads: threads)
                    }
                }
            })
        let prefillRate = Double(prefill) / prefillSeconds, decodeRate = Double(decode) / decodeSeconds
        if json {
            print(
                "{\"prefill\": \(prefill), \"context\": \(context), \"decode\": \(decode), \"threads\": \(threads), \"repeats\": \(repeats), \"prefill_tokens_per_second\": \(String(format: "%.1f", prefillRate)), \"decode_tokens_per_second\": \(String(format: "%.2f", decodeRate))}"
            )
        } else {
            print(
                String(
                    format: "lm bench: %@, %d thread(s): prefill %d tokens %.1f tokens/s; decode %d steps after %d %.2f tokens/s (median of %d)", swap.label,
                    threads, prefill, prefillRate, decode, context, decodeRate, repeats))
        }
    }
}
