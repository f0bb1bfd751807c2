#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory a request needs, computed with overflow-checked arithmetic and checked against what
/// the machine has, before anything is allocated: a shape no memory holds is a one-line error
/// naming the option at fault, never an allocation abort or an arithmetic trap.
public enum MemoryBudget {
    /// Bytes this process may allocate now: Linux's `MemAvailable` (free memory plus the page cache
    /// it can reclaim), else the physical memory.
    public static var availableBytes: Int {
        #if os(Linux)
        if let available = meminfoAvailable() { return available }
        #endif
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size : Int.max
    }

    /// The bytes of `counts` elements of `elementBytes` each (the sum of the products of each
    /// entry's factors), or an error naming `what` when the arithmetic overflows or the total
    /// exceeds the available memory.
    ///
    /// - Parameters:
    ///   - buffers: each buffer's element count as factors (`[rows, cols]`), with its element size.
    ///   - what: the request, as the user wrote it (`--rows × --cols`, `n_q × n_k`).
    @discardableResult
    public static func require(_ buffers: [(factors: [Int], elementBytes: Int)], for what: String) throws -> Int {
        var total = 0
        for (factors, elementBytes) in buffers {
            var bytes = elementBytes
            for f in factors {
                guard f >= 0 else { throw MemoryBudgetError.negative(what: what) }
                let (product, overflow) = bytes.multipliedReportingOverflow(by: f)
                guard !overflow else { throw MemoryBudgetError.overflow(what: what) }
                bytes = product
            }
            let (sum, overflow) = total.addingReportingOverflow(bytes)
            guard !overflow else { throw MemoryBudgetError.overflow(what: what) }
            total = sum
        }
        let available = availableBytes
        guard total <= available else { throw MemoryBudgetError.insufficient(what: what, needed: total, available: available) }
        return total
    }

    #if os(Linux)
    /// `MemAvailable` from /proc/meminfo, in bytes.
    private static func meminfoAvailable() -> Int? {
        guard let file = fopen("/proc/meminfo", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("MemAvailable:") else { continue }
            let digits = text.dropFirst("MemAvailable:".count).filter { $0.isNumber }
            return Int(digits).map { $0.multipliedReportingOverflow(by: 1024).overflow ? Int.max : $0 * 1024 }
        }
        return nil
    }
    #endif
}

/// A request that cannot fit in memory.
public enum MemoryBudgetError: Error, Equatable, CustomStringConvertible {
    case overflow(what: String)
    case negative(what: String)
    case insufficient(what: String, needed: Int, available: Int)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .overflow(what): "\(what) needs more bytes than a 64-bit size can count; use smaller sizes"
        case let .negative(what): "\(what): sizes must be ≥ 0"
        case let .insufficient(what, needed, available):
            "\(what) needs \(Self.bytes(needed)), more than the \(Self.bytes(available)) of memory available; use smaller sizes"
        }
    }

    /// `1.5 GiB`, `512 KiB`.
    static func bytes(_ n: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(n), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) bytes" : String(Double(Int(value * 10)) / 10) + " " + units[unit]
    }
}
