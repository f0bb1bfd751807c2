/// A byte-level BPE tokenizer (GPT-2's scheme, `tokenizer.ggml.model = gpt2` in GGUF): text is split
/// into pieces (`ByteLevelPreTokenizer`), each piece's UTF-8 bytes are written as printable
/// characters (GPT-2's `bytes_to_unicode`: the printable Latin-1 bytes as themselves, the other 68
/// as U+0100 …), and adjacent symbols are merged by the rank of their merge rule, lowest first,
/// until no rule applies; the resulting symbols are the tokens. Decoding concatenates the tokens'
/// bytes. A byte whose character is not in the vocabulary (SmolLM2's lacks a few control bytes)
/// is dropped before merging, as Hugging Face's BPE without an unknown token does.
///
/// Foundation-free, so the fuzzer builds it alone. Special tokens written in the text are not
/// matched (llama.cpp's `parse_special = false`): they are encoded as the characters they are.
public struct ByteLevelBPETokenizer: Sendable {
    /// Id to token, in the byte-level alphabet (`Ġthe`).
    public let tokens: [String]
    /// Whether digits are pieces of their own (SmolLM's pre-tokenizer).
    public let isolatesDigits: Bool
    private let ids: [String: Int]
    private let merges: [Pair: (rank: Int, result: Int)]
    private let byteToken: [Int]  // byte → id of its one-symbol token, or −1
    private let tokenBytes: [[UInt8]]  // id → the bytes it stands for

    struct Pair: Hashable {
        let left: Int, right: Int
    }

    /// GPT-2's byte-to-character table: bytes 33…126, 161…172 and 174…255 map to themselves, the
    /// rest to U+0100, U+0101, … in byte order.
    public static let byteCharacters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// A tokenizer over `tokens` (id = position) and `merges` (`"left right"`, by rank); throws
    /// naming what is inconsistent: a token given twice, a merge that is not two tokens, or whose
    /// result is not a token.
    public init(tokens: [String], merges: [String], isolatesDigits: Bool, source: String = "tokenizer") throws {
        self.tokens = tokens
        self.isolatesDigits = isolatesDigits
        var ids: [String: Int] = [:]
        for (id, token) in tokens.enumerated() {
            guard ids.updateValue(id, forKey: token) == nil else { throw BPEError.vocabulary(source, "token '\(token)' is given twice") }
        }
        var byteToken = [Int](repeating: -1, count: 256)
        var characterByte: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in Self.byteCharacters.enumerated() {
            characterByte[c] = UInt8(b)
            byteToken[b] = ids[String(c)] ?? -1
        }
        var table: [Pair: (rank: Int, result: Int)] = [:]
        for (rank, merge) in merges.enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, let left = ids[String(parts[0])], let right = ids[String(parts[1])] else {
                throw BPEError.vocabulary(source, "merge \(rank) '\(merge)' is not two tokens")
            }
            guard let result = ids[String(parts[0]) + String(parts[1])] else {
                throw BPEError.vocabulary(source, "merge \(rank) '\(merge)' makes '\(parts[0])\(parts[1])', which is not a token")
            }
            if table[Pair(left: left, right: right)] == nil { table[Pair(left: left, right: right)] = (rank, result) }
        }
        self.ids = ids
        self.merges = table
        self.byteToken = byteToken
        // A token's bytes: each character back to its byte; characters outside the alphabet (special
        // tokens such as `<|im_start|>` are plain ASCII, so every token qualifies) as their UTF-8.
        tokenBytes = tokens.map { token in
            token.unicodeScalars.flatMap { c in characterByte[c].map { [$0] } ?? Array(String(c).utf8) }
        }
    }

    /// The id of `token`, if it is one.
    public func id(of token: String) -> Int? { ids[token] }

    /// The ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        // Keyed by bytes, not by String: Strings compare canonically equivalent forms equal (é and
        // e + U+0301), whose bytes, and so tokens, differ.
        var cache: [[UInt8]: [Int]] = [:]
        for piece in ByteLevelPreTokenizer.split(text, isolatesDigits: isolatesDigits) {
            let bytes = Array(String(piece).utf8)
            if let known = cache[bytes] {
                out += known
                continue
            }
            let ids = merge(bytes.map { byteToken[Int($0)] }.filter { $0 >= 0 })
            if cache.count < 1 << 16 { cache[bytes] = ids }
            out += ids
        }
        return out
    }

    /// BPE over one piece: repeatedly merges the adjacent pair of lowest rank (leftmost on ties).
    /// Symbols sit in a linked list; candidate pairs in a min-heap keyed by (rank, position), checked
    /// for staleness when popped, so a piece of n bytes takes O(n log n).
    func merge(_ symbols: [Int]) -> [Int] {
        guard symbols.count > 1 else { return symbols }
        var id = symbols
        var next = Array(1...symbols.count), previous = Array(-1..<(symbols.count - 1))
        var alive = [Bool](repeating: true, count: symbols.count)
        var heap = MinHeap()
        func push(_ i: Int) {
            let j = next[i]
            guard j < id.count, let merge = merges[Pair(left: id[i], right: id[j])] else { return }
            heap.push(Candidate(rank: merge.rank, left: i, leftToken: id[i], rightToken: id[j], result: merge.result))
        }
        for i in 0..<(symbols.count - 1) { push(i) }
        while let c = heap.pop() {
            let i = c.left
            let j = next[i]
            // Stale: either symbol merged away or changed since the candidate was pushed.
            guard alive[i], j < id.count, id[i] == c.leftToken, id[j] == c.rightToken else { continue }
            id[i] = c.result
            alive[j] = false
            next[i] = next[j]
            if next[j] < id.count { previous[next[j]] = i }
            if previous[i] >= 0 { push(previous[i]) }
            push(i)
        }
        var out: [Int] = []
        var i = 0
        while i < id.count {
            out.append(id[i])
            i = next[i]
        }
        return out
    }

    /// The text of `ids`: the tokens' bytes, concatenated, as UTF-8 (invalid sequences, as a
    /// generation cut mid-character can leave, become U+FFFD); ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: bytes(ids), as: UTF8.self)
    }

    /// The bytes `ids` stand for.
    public func bytes(_ ids: [Int]) -> [UInt8] {
        ids.flatMap { $0 >= 0 && $0 < tokenBytes.count ? tokenBytes[$0] : [] }
    }

    struct Candidate {
        let rank: Int, left: Int, leftToken: Int, rightToken: Int, result: Int
        func precedes(_ o: Candidate) -> Bool { (rank, left) < (o.rank, o.left) }
    }

    /// A binary min-heap of merge candidates.
    struct MinHeap {
        var items: [Candidate] = []

        mutating func push(_ c: Candidate) {
            items.append(c)
            var k = items.count - 1
            while k > 0 {
                let parent = (k - 1) / 2
                guard items[k].precedes(items[parent]) else { break }
                items.swapAt(k, parent)
                k = parent
            }
        }

        mutating func pop() -> Candidate? {
            guard let first = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var k = 0
                while true {
                    let l = 2 * k + 1, r = l + 1
                    var m = k
                    if l < items.count, items[l].precedes(items[m]) { m = l }
                    if r < items.count, items[r].precedes(items[m]) { m = r }
                    if m == k { break }
                    items.swapAt(k, m)
                    k = m
                }
            }
            return first
        }
    }
}

/// A byte-level BPE vocabulary that cannot be used, naming its source.
public enum BPEError: Error, Equatable, CustomStringConvertible {
    /// The tokens or merges are inconsistent.
    case vocabulary(String, String)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .vocabulary(source, why): "\(source): \(why)"
        }
    }
}
