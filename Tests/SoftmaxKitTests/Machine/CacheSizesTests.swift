import Testing

@testable import SoftmaxKit

/// Reading the caches: sysfs listings as Linux writes them (x86 with and without SMT, a part
/// without L3, malformed files), the size and CPU-list formats, and this machine's own sizes.
@Suite struct CacheSizesTests {
    func entry(_ level: String, _ type: String, _ size: String, _ shared: String) -> [String: String] {
        ["level": level + "\n", "type": type + "\n", "size": size + "\n", "shared_cpu_list": shared + "\n"]
    }

    @Test func aZen3Listing() throws {
        let sizes = try #require(
            CacheSizes.parse(sysfsEntries: [
                entry("1", "Data", "32K", "0"), entry("1", "Instruction", "32K", "0"), entry("2", "Unified", "512K", "0"),
                entry("3", "Unified", "32768K", "0-1"),
            ]))
        #expect(sizes == CacheSizes(l1Data: 32 << 10, l2: 512 << 10, l3: 32 << 20, l2SharedBy: 1, l3SharedBy: 2, source: "sysfs"))
    }

    @Test func aXeonWithHyperThreads() throws {
        let sizes = try #require(
            CacheSizes.parse(sysfsEntries: [
                entry("1", "Data", "48K", "0,56"), entry("1", "Instruction", "32K", "0,56"), entry("2", "Unified", "2048K", "0,56"),
                entry("3", "Unified", "107520K", "0-111"),
            ]))
        #expect(sizes.l1Data == 48 << 10 && sizes.l2 == 2 << 20 && sizes.l3 == 105 << 20)
        #expect(sizes.l2SharedBy == 2 && sizes.l3SharedBy == 112)
    }

    @Test func aPartWithoutL3AndIncompleteListings() throws {
        let noL3 = try #require(CacheSizes.parse(sysfsEntries: [entry("1", "Data", "64K", "0"), entry("2", "Unified", "4M", "0-3")]))
        #expect(noL3.l3 == 0 && noL3.l2 == 4 << 20 && noL3.l2SharedBy == 4)
        // No L2, an unreadable size, nothing at all: not a listing to trust.
        #expect(CacheSizes.parse(sysfsEntries: [entry("1", "Data", "32K", "0")]) == nil)
        #expect(CacheSizes.parse(sysfsEntries: [entry("1", "Data", "32K", "0"), entry("2", "Unified", "lots", "0")]) == nil)
        #expect(CacheSizes.parse(sysfsEntries: []) == nil)
        // An instruction cache is never taken for the data cache.
        #expect(CacheSizes.parse(sysfsEntries: [entry("1", "Instruction", "32K", "0"), entry("2", "Unified", "1M", "0")]) == nil)
    }

    @Test func sizesAndCPULists() {
        #expect(CacheSizes.parseSize("32K") == 32768)
        #expect(CacheSizes.parseSize(" 1024K\n") == 1 << 20)
        #expect(CacheSizes.parseSize("32M") == 32 << 20)
        #expect(CacheSizes.parseSize("1G") == 1 << 30)
        #expect(CacheSizes.parseSize("65536") == 65536)
        for bad in ["", "K", "-4K", "0K", "12Q", "9999999999999999999G", "1.5M"] { #expect(CacheSizes.parseSize(bad) == nil, "\(bad)") }
        #expect(CacheSizes.countCPUs("0") == 1)
        #expect(CacheSizes.countCPUs("0-1\n") == 2)
        #expect(CacheSizes.countCPUs("0,56") == 2)
        #expect(CacheSizes.countCPUs("0-3,8-11") == 8)
        for bad in ["", "3-1", "a", "1-2-3", "-1", "0,,1"] { #expect(CacheSizes.countCPUs(bad) == nil, "\(bad)") }
    }

    /// Whatever this machine is, its sizes are plausible and ordered, and read from sysfs where
    /// Linux provides it.
    @Test func thisMachine() {
        let c = CacheSizes.current
        #expect(c.l1Data >= 4 << 10 && c.l1Data <= c.l2)
        #expect(c.l3 == 0 || c.l2 <= c.l3)
        #if os(Linux)
        if readSmallTextFile("/sys/devices/system/cpu/cpu0/cache/index0/size") != nil { #expect(c.source == "sysfs") }
        #endif
    }
}
