#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data caches one core sees, in bytes, and how many logical CPUs share each: what the
/// kernels' size thresholds (`SoftmaxScheduleThresholds(caches:)`) are derived from.
///
/// Read once per process (`current`) from Linux's sysfs (`/sys/devices/system/cpu/cpu0/cache`),
/// else from `sysconf`, else assumed (32 KiB, 1 MiB, 32 MiB: the machine the fixed defaults were
/// measured on). `source` says which.
public struct CacheSizes: Sendable, Equatable, Codable {
    /// Level-1 data cache of one core.
    public var l1Data: Int
    /// Level-2 cache (unified).
    public var l2: Int
    /// Last-level (level-3) cache, 0 when there is none.
    public var l3: Int
    /// Logical CPUs sharing the level-2 cache (2 with SMT on most x86 parts).
    public var l2SharedBy: Int
    /// Logical CPUs sharing the level-3 cache.
    public var l3SharedBy: Int
    /// Where the sizes come from: `sysfs`, `sysconf` or `assumed`.
    public var source: String

    enum CodingKeys: String, CodingKey {
        case l1Data = "l1_data", l2, l3, l2SharedBy = "l2_shared_by", l3SharedBy = "l3_shared_by", source
    }

    /// Sizes as given.
    public init(l1Data: Int, l2: Int, l3: Int, l2SharedBy: Int = 1, l3SharedBy: Int = 1, source: String) {
        self.l1Data = l1Data
        self.l2 = l2
        self.l3 = l3
        self.l2SharedBy = max(1, l2SharedBy)
        self.l3SharedBy = max(1, l3SharedBy)
        self.source = source
    }

    /// The sizes the fixed defaults were measured with.
    public static let assumed = CacheSizes(l1Data: 32 << 10, l2: 1 << 20, l3: 32 << 20, source: "assumed")

    /// This machine's caches, read once.
    public static let current: CacheSizes = readSysfs() ?? readSysconf() ?? assumed

    /// The sizes described by sysfs cache entries, one dictionary per `indexN` directory with its
    /// `level`, `type`, `size` and `shared_cpu_list` files' contents; nil without both an L1 data
    /// and an L2 entry (a partial or foreign listing).
    public static func parse(sysfsEntries entries: [[String: String]]) -> CacheSizes? {
        var l1: Int?, l2: Int?, l3: Int?
        var l2Shared = 1, l3Shared = 1
        for entry in entries {
            guard let level = entry["level"].flatMap({ Int(trimmed($0)) }), let size = entry["size"].flatMap(parseSize) else { continue }
            let type = entry["type"].map(trimmed) ?? ""
            let sharing = entry["shared_cpu_list"].flatMap(countCPUs) ?? 1
            switch (level, type) {
            case (1, "Data"), (1, "Unified"): l1 = size
            case (2, "Unified"), (2, "Data"):
                l2 = size
                l2Shared = sharing
            case (3, "Unified"), (3, "Data"):
                l3 = size
                l3Shared = sharing
            default: continue
            }
        }
        guard let l1, let l2 else { return nil }
        return CacheSizes(l1Data: l1, l2: l2, l3: l3 ?? 0, l2SharedBy: l2Shared, l3SharedBy: l3Shared, source: "sysfs")
    }

    /// `"32K"`, `"1024K"`, `"32M"`, `"1G"` or a plain byte count, to bytes; nil for anything else.
    public static func parseSize(_ text: String) -> Int? {
        let t = trimmed(text)
        guard let last = t.last else { return nil }
        let scale: Int? =
            switch last {
            case "K", "k": 1 << 10
            case "M", "m": 1 << 20
            case "G", "g": 1 << 30
            default: last.isNumber ? 1 : nil
            }
        guard let scale, let value = Int(last.isNumber ? t : String(t.dropLast())), value > 0, value <= Int.max / scale else { return nil }
        return value * scale
    }

    /// The number of CPUs in a sysfs CPU list (`"0-3,8-11"`, `"5"`); nil when malformed.
    public static func countCPUs(_ list: String) -> Int? {
        var count = 0
        for part in trimmed(list).split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]), low >= 0, high >= low
            else { return nil }
            count += high - low + 1
        }
        return count > 0 ? count : nil
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }

    static func readSysfs(directory: String = "/sys/devices/system/cpu/cpu0/cache") -> CacheSizes? {
        var entries: [[String: String]] = []
        for index in 0..<16 {
            var entry: [String: String] = [:]
            for name in ["level", "type", "size", "shared_cpu_list"] {
                if let text = readSmallTextFile("\(directory)/index\(index)/\(name)") { entry[name] = text }
            }
            if entry.isEmpty { break }
            entries.append(entry)
        }
        return parse(sysfsEntries: entries)
    }

    static func readSysconf() -> CacheSizes? {
        #if canImport(Glibc)
        let l1 = sysconf(Int32(_SC_LEVEL1_DCACHE_SIZE)), l2 = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        let l3 = sysconf(Int32(_SC_LEVEL3_CACHE_SIZE))
        guard l1 > 0, l2 > 0 else { return nil }
        return CacheSizes(l1Data: l1, l2: l2, l3: max(0, l3), source: "sysconf")
        #else
        return nil
        #endif
    }
}

/// The contents of a small text file (at most 4 KiB read), or nil when it cannot be read.
func readSmallTextFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = fread(&buffer, 1, buffer.count, file)
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count], as: UTF8.self)
}
