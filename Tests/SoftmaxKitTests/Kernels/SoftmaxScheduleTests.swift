import Testing

@testable import SoftmaxKit

/// The schedule decision (`SoftmaxSchedule.plan(for:)`) on the shapes its rules name, and every
/// schedule, forced, against the reference: edge rows, odd sizes, both element types, softmax and
/// log-softmax, temperature 1 and 0.7, one and two threads. Each forced schedule must also give
/// the bytes of `perRow`, which is what "every schedule computes the same bits" promises.
@Suite struct SoftmaxScheduleTests {
    func plan(
        rows: Int, cols: Int, bytes: Int = 4, threads: Int = 1, algorithm: SoftmaxAlgorithm = .threePassReload,
        output: SoftmaxSchedule.Problem.Output = .probabilities, masked: Bool = false
    ) -> SoftmaxSchedule {
        SoftmaxSchedule.plan(
            for: .init(
                rows: rows, cols: cols, elementBytes: bytes, threads: threads, algorithm: algorithm,
                output: output, masked: masked),
            thresholds: .standard
        ).schedule
    }

    static let amd = CPUFeatures(
        vendor: "AuthenticAMD", family: 25, model: 17, fma: true, avx2: true, avx512f: true, buildFMA: true, buildAVX2: true,
        buildAVX512F: true)

    /// The thresholds follow the caches: past L2 at the L2's size, pass 1 fused up to a quarter
    /// of the L3, both clamped; the fixed defaults are those of the assumed 1 MiB / 32 MiB machine.
    @Test func thresholdsFromTheCaches() {
        #expect(SoftmaxScheduleThresholds(caches: .assumed, features: Self.amd).l2BatchBytes == SoftmaxScheduleThresholds.standard.l2BatchBytes)
        let zen3 = CacheSizes(l1Data: 32 << 10, l2: 512 << 10, l3: 32 << 20, l3SharedBy: 8, source: "test")
        #expect(SoftmaxScheduleThresholds(caches: zen3).l2BatchBytes == 512 << 10)
        #expect(SoftmaxScheduleThresholds(caches: zen3).fusedPass1BatchBytes == 8 << 20)
        let xeon = CacheSizes(l1Data: 48 << 10, l2: 2 << 20, l3: 105 << 20, source: "test")
        #expect(SoftmaxScheduleThresholds(caches: xeon).l2BatchBytes == 2 << 20)
        #expect(SoftmaxScheduleThresholds(caches: xeon).fusedPass1BatchBytes == (105 << 20) / 4)
        // Clamped: a tiny L2 and no L3 (the batch limit then assumes 4 × L2, at least 1 MiB).
        let tiny = CacheSizes(l1Data: 16 << 10, l2: 128 << 10, l3: 0, source: "test")
        #expect(SoftmaxScheduleThresholds(caches: tiny).l2BatchBytes == 256 << 10)
        #expect(SoftmaxScheduleThresholds(caches: tiny).fusedPass1BatchBytes == 1 << 20)
        let huge = CacheSizes(l1Data: 64 << 10, l2: 16 << 20, l3: 1 << 30, source: "test")
        #expect(SoftmaxScheduleThresholds(caches: huge).l2BatchBytes == 4 << 20)
        #expect(SoftmaxScheduleThresholds(caches: huge).fusedPass1BatchBytes == 64 << 20)
        #expect(SoftmaxScheduleThresholds.machine == SoftmaxScheduleThresholds(caches: .current))
        // On a 512 KiB L2, 768 KiB rows of 32768 are past it: pass 1 rides on pass 2.
        let problem = SoftmaxSchedule.Problem(rows: 6, cols: 32768, elementBytes: 4, threads: 1)
        #expect(SoftmaxSchedule.plan(for: problem, thresholds: .init(caches: zen3)).schedule == .rowsFusedPass2)
        #expect(SoftmaxSchedule.plan(for: problem, thresholds: .standard).schedule == .perRow)
    }

    @Test func theDecisionTable() {
        // Short rows: grouped, with pass 1 fused while the batch is within 8 MiB.
        #expect(plan(rows: 768, cols: 128) == .groupedRowsFusedPass1)  // 384 KiB (L2)
        #expect(plan(rows: 16384, cols: 128) == .groupedRowsFusedPass1)  // 8 MiB
        #expect(plan(rows: 16385, cols: 128) == .groupedRows)  // just over
        #expect(plan(rows: 524_288, cols: 128) == .groupedRows)  // 256 MiB
        #expect(plan(rows: 96, cols: 1024) == .groupedRowsFusedPass1)  // 384 KiB
        // Rows of 129…4096 past L2: pass 1 into pass 2 within 8 MiB, into pass 3 beyond.
        #expect(plan(rows: 2048, cols: 1024) == .rowsFusedPass2)  // 8 MiB
        #expect(plan(rows: 65536, cols: 1024) == .rowsFusedPass3)  // 256 MiB
        #expect(plan(rows: 512, cols: 4096) == .rowsFusedPass2)
        #expect(plan(rows: 8, cols: 2000) == .rowsFusedPass3)  // too wide to group, within L2
        // Past L2 is judged per thread: 2.4 MB is past it on one thread and on two.
        #expect(plan(rows: 600, cols: 1000, threads: 2) == .rowsFusedPass2)
        #expect(plan(rows: 300, cols: 1000, threads: 2) == .groupedRowsFusedPass1)  // 600 KB each
        // Rows longer than a block: per row in L2, pass 1 into pass 2 past it.
        #expect(plan(rows: 3, cols: 32768) == .perRow)
        #expect(plan(rows: 64, cols: 32768) == .rowsFusedPass2)
        // Double rows are twice the bytes.
        #expect(plan(rows: 300, cols: 1000, bytes: 8) == .rowsFusedPass2)
        #expect(plan(rows: 100, cols: 1000, bytes: 8) == .groupedRowsFusedPass1)
        // A few long rows over threads: split.
        #expect(plan(rows: 1, cols: 1 << 16, threads: 2) == .splitRows)
        #expect(plan(rows: 1, cols: 1 << 16, threads: 2, output: .logSumExp) == .splitRows)
        // The general path: masks, statistics outputs, other algorithms.
        #expect(plan(rows: 768, cols: 128, masked: true) == .perRow)
        #expect(plan(rows: 768, cols: 128, output: .logSumExp) == .perRow)
        #expect(plan(rows: 768, cols: 128, output: .rowState) == .perRow)
        #expect(plan(rows: 768, cols: 128, algorithm: .online) == .perRow)
        #expect(plan(rows: 768, cols: 128, algorithm: .threePassRecompute) == .perRow)
        // Shapes past any memory: a plan, not an overflow trap.
        #expect(plan(rows: Int.max / 2, cols: Int.max / 2) == .rowsFusedPass2)
        // Empty batches.
        #expect(plan(rows: 0, cols: 128) == .groupedRowsFusedPass1)
        #expect(plan(rows: 5, cols: 0) == .groupedRowsFusedPass1)
    }

    /// Streaming stores: on Intel, every consecutive schedule streams a batch past the L3 (32 MiB
    /// here) whose scratch row or group fits in half the L2; on AMD only rows fused into pass 3
    /// on two threads or more; never off x86. The per-row and split schedules only when asked;
    /// a forced choice always wins.
    @Test func streamingStoresPastTheLastLevelCache() {
        let intel = CPUFeatures(
            vendor: "GenuineIntel", family: 6, model: 143, fma: true, avx2: true, avx512f: true, buildFMA: true, buildAVX2: true,
            buildAVX512F: true)
        let arm = CPUFeatures(
            vendor: "", family: 0, model: 0, fma: false, avx2: false, avx512f: false, buildFMA: false, buildAVX2: false, buildAVX512F: false)
        let onIntel = SoftmaxScheduleThresholds(caches: .assumed, features: intel)
        let onAMD = SoftmaxScheduleThresholds(caches: .assumed, features: Self.amd)
        func streams(
            rows: Int, cols: Int, threads: Int = 1, forced: Bool? = nil, output: SoftmaxSchedule.Problem.Output = .probabilities,
            on t: SoftmaxScheduleThresholds
        ) -> Bool {
            SoftmaxSchedule.plan(
                for: .init(rows: rows, cols: cols, elementBytes: 4, threads: threads, output: output, streamingStores: forced),
                thresholds: t
            ).streamingStores
        }
        #expect(streams(rows: 524_288, cols: 128, on: onIntel))  // 256 MiB, grouped rows
        #expect(streams(rows: 65536, cols: 1024, on: onIntel))  // 256 MiB, rows fused into pass 3
        #expect(streams(rows: 2048, cols: 32768, on: onIntel))  // 256 MiB, rows fused into pass 2
        #expect(streams(rows: 2048, cols: 32768, output: .logProbabilities, on: onIntel))
        #expect(streams(rows: 65537, cols: 128, on: onIntel))  // just over 32 MiB
        #expect(!streams(rows: 65536, cols: 128, on: onIntel))  // 32 MiB: may still be in the L3 for the next reader
        #expect(!streams(rows: 2048, cols: 1024, on: onIntel))  // 8 MiB
        #expect(streams(rows: 128, cols: 1 << 17, on: onIntel))  // 512 KiB rows: half the L2
        #expect(!streams(rows: 128, cols: (1 << 17) + 1, on: onIntel))  // a scratch row past half the L2
        #expect(!streams(rows: 524_288, cols: 128, output: .logSumExp, on: onIntel))  // per row: only when asked
        #expect(streams(rows: 8, cols: 128, forced: true, output: .logSumExp, on: onIntel))
        #expect(streams(rows: 8, cols: 128, forced: true, on: onIntel))
        #expect(!streams(rows: 524_288, cols: 128, forced: false, on: onIntel))
        #expect(!streams(rows: 1, cols: 1 << 26, threads: 2, on: onIntel))  // split rows: only when asked
        // AMD: rows fused into pass 3 on two threads, nothing else.
        #expect(streams(rows: 65536, cols: 1024, threads: 2, on: onAMD))
        #expect(!streams(rows: 65536, cols: 1024, threads: 1, on: onAMD))
        #expect(!streams(rows: 2048, cols: 1024, threads: 2, on: onAMD))  // 8 MiB
        #expect(!streams(rows: 524_288, cols: 128, threads: 2, on: onAMD))
        #expect(!streams(rows: 2048, cols: 32768, threads: 2, on: onAMD))
        #expect(streams(rows: 2048, cols: 32768, threads: 1, forced: true, on: onAMD))
        // Off x86, and the standard thresholds: never unless asked.
        let offX86 = SoftmaxScheduleThresholds(caches: .assumed, features: arm)
        #expect(!streams(rows: 65536, cols: 1024, threads: 2, on: offX86))
        #expect(!streams(rows: 65536, cols: 1024, threads: 2, on: .standard))
        #expect(streams(rows: 524_288, cols: 128, forced: true, on: .standard))
        // The threshold is the L3's size on x86.
        let xeon = CacheSizes(l1Data: 48 << 10, l2: 2 << 20, l3: 105 << 20, source: "test")
        #expect(SoftmaxScheduleThresholds(caches: .assumed, features: arm) == .standard)
        #expect(onIntel.streamingOutputBytes == 32 << 20 && onIntel.streamingMinimumThreads == 1)
        #expect(onAMD.streamingOutputBytes == 32 << 20 && onAMD.streamingSchedules == [.rowsFusedPass3])
        #expect(SoftmaxScheduleThresholds(caches: xeon, features: intel).streamingOutputBytes == 105 << 20)
        #expect(offX86.streamingOutputBytes == .max)
        let noL3 = CacheSizes(l1Data: 32 << 10, l2: 512 << 10, l3: 0, source: "test")
        #expect(SoftmaxScheduleThresholds(caches: noL3, features: intel).streamingOutputBytes == 2 << 20)
    }

    /// Streamed outputs starting 0…17 elements past a vector boundary (every head length, a row
    /// shorter than its head), and in place: the bytes of the plain stores.
    @Test(arguments: [SoftmaxSchedule.groupedRows, .rowsFusedPass3, .rowsFusedPass2])
    func streamedOutputsAtAnyAlignmentAndInPlace(_ schedule: SoftmaxSchedule) throws {
        for (rows, cols) in [(37, 7), (37, 100), (9, 1000), (5, 4099)] where schedule != .groupedRows || cols <= blockElements {
            var g = SplitMix64(seed: UInt64(rows * 31 + cols))
            let x: [Float] = (0..<rows * cols).map { _ in Float(4 * g.normal()) }
            for logarithmic in [false, true] {
                let plain = try run(x, rows: rows, cols: cols, logarithmic: logarithmic, SoftmaxOptions(streamingStores: false, schedule: schedule))
                for offset in [0, 1, 3, 8, 15, 17] {
                    // `offset` elements past a 64-byte boundary; the batch is then computed in place.
                    let raw = UnsafeMutableRawPointer.allocate(byteCount: (rows * cols + offset) * 4, alignment: 64)
                    defer { raw.deallocate() }
                    let buffer = UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: rows * cols + offset) + offset, count: rows * cols)
                    _ = buffer.initialize(from: x)
                    let batch = MutableRowBatch(buffer, rows: rows, cols: cols)
                    let options = SoftmaxOptions(streamingStores: true, schedule: schedule)
                    if logarithmic {
                        try ExactSoftmax.logSoftmax(batch.readOnly, into: batch, options: options)
                    } else {
                        try ExactSoftmax.softmax(batch.readOnly, into: batch, options: options)
                    }
                    #expect(Array(buffer) == plain, "\(schedule.rawValue) \(rows)×\(cols) log \(logarithmic) offset \(offset)")
                }
            }
        }
    }

    @Test func forcingAScheduleThatCannotComputeTheCallIsAnError() throws {
        let x = [Float](repeating: 0, count: 8), mask = [Bool](repeating: true, count: 8)
        try x.withUnsafeBufferPointer { xb in
            try mask.withUnsafeBufferPointer { mb in
                var y = [Float](repeating: 0, count: 8)
                try y.withUnsafeMutableBufferPointer { yb in
                    let options = SoftmaxOptions(schedule: .groupedRows)
                    #expect(throws: SoftmaxError.scheduleNotApplicable(.groupedRows, reason: SoftmaxSchedule.groupedRows.requirement)) {
                        try ExactSoftmax.softmax(
                            RowBatch(xb, rows: 1, cols: 8), into: MutableRowBatch(yb, rows: 1, cols: 8),
                            mask: RowBatch(mb, rows: 1, cols: 8), options: options)
                    }
                    var online = SoftmaxOptions(algorithm: .online, schedule: .rowsFusedPass2)
                    #expect(throws: SoftmaxError.self) {
                        try ExactSoftmax.softmax(RowBatch(xb, rows: 1, cols: 8), into: MutableRowBatch(yb, rows: 1, cols: 8), options: online)
                    }
                    online.schedule = .perRow
                    try ExactSoftmax.softmax(RowBatch(xb, rows: 1, cols: 8), into: MutableRowBatch(yb, rows: 1, cols: 8), options: online)
                    #expect(yb.allSatisfy { $0 == 0.125 })
                }
            }
        }
        #expect(throws: SoftmaxError.self) {
            _ = try ExactSoftmax.plan(rows: 4, cols: 5000, as: Float.self, options: SoftmaxOptions(schedule: .groupedRowsFusedPass1))
        }
        #expect(try ExactSoftmax.plan(rows: 4, cols: 4096, as: Float.self, options: SoftmaxOptions(schedule: .groupedRows)).schedule == .groupedRows)
    }

    /// Rows × cols covering: a single row, fewer rows than a group, two full Float groups and some
    /// over; rows of 1, a prime, a vector and one more, 128, 1000, a block, a block and one, and two
    /// blocks and more (the split).
    static let shapes: [(rows: Int, cols: Int)] = [
        (1, 1), (3, 17), (41, 1), (41, 5), (41, 16), (41, 17), (41, 128), (19, 1000),
        (17, 4096), (5, 4097), (3, 9001),
    ]

    @Test(arguments: SoftmaxSchedule.allCases)
    func everyScheduleForcedMatchesTheReferenceInFloat(_ schedule: SoftmaxSchedule) throws {
        for shape in Self.shapes { try check(schedule, shape, as: Float.self) }
    }

    @Test(arguments: SoftmaxSchedule.allCases)
    func everyScheduleForcedMatchesTheReferenceInDouble(_ schedule: SoftmaxSchedule) throws {
        for shape in Self.shapes { try check(schedule, shape, as: Double.self) }
    }

    func check<T: KernelScalar>(_ schedule: SoftmaxSchedule, _ shape: (rows: Int, cols: Int), as _: T.Type) throws {
        let (rows, cols) = shape
        var g = SplitMix64(seed: UInt64(rows * 10_007 + cols))
        var x: [T] = (0..<rows * cols).map { _ in T(4 * g.normal()) }
        // Edge rows among ordinary ones: a NaN, a +∞, all −∞, a huge entry (compensated), a range over 31.
        for (r, edit) in [(0, 0), (1, 1), (2, 2), (rows - 2, 3), (rows - 1, 4)] where rows >= 5 && r >= 0 {
            let row = r * cols
            switch edit {
            case 0: x[row + cols / 2] = .nan
            case 1: x[row + cols - 1] = .infinity
            case 2: for i in 0..<cols { x[row + i] = -.infinity }
            case 3: x[row] = 1e30
            default: x[row + cols - 1] = -40
            }
        }
        let grouped = schedule == .groupedRows || schedule == .groupedRowsFusedPass1
        if grouped && cols > blockElements {
            // Grouped rows are one block each: longer ones must be refused, not computed.
            #expect(throws: SoftmaxError.scheduleNotApplicable(schedule, reason: schedule.requirement)) {
                _ = try run(x, rows: rows, cols: cols, logarithmic: false, SoftmaxOptions(schedule: schedule))
            }
            return
        }
        let applicable = try ExactSoftmax.plan(rows: rows, cols: cols, as: T.self, options: SoftmaxOptions(schedule: schedule))
        #expect(applicable.schedule == schedule)
        for logarithmic in [false, true] {
            for (threads, temperature) in [(1, 1.0), (2, 0.7)] {
                let forced = try run(
                    x, rows: rows, cols: cols, logarithmic: logarithmic,
                    SoftmaxOptions(temperature: temperature, threads: threads, schedule: schedule))
                let perRow = try run(
                    x, rows: rows, cols: cols, logarithmic: logarithmic,
                    SoftmaxOptions(temperature: temperature, threads: threads, schedule: .perRow))
                let label = "\(schedule.rawValue) \(rows)×\(cols) \(T.self) log \(logarithmic) threads \(threads) T \(temperature)"
                #expect(forced.withUnsafeBytes { a in perRow.withUnsafeBytes { b in a.elementsEqual(b) } }, "\(label): bytes of per-row")
                if schedule.isConsecutive {
                    // Through the scratch row and streaming stores: the same bytes again.
                    let streamed = try run(
                        x, rows: rows, cols: cols, logarithmic: logarithmic,
                        SoftmaxOptions(temperature: temperature, threads: threads, streamingStores: true, schedule: schedule))
                    #expect(streamed.withUnsafeBytes { a in perRow.withUnsafeBytes { b in a.elementsEqual(b) } }, "\(label) streamed: bytes of per-row")
                }
                let tolerance = ExactTolerance.of(T.self, length: cols)
                for r in 0..<rows {
                    let z = SoftmaxReference.scaled(x[r * cols..<(r + 1) * cols], temperature: temperature)
                    let reference = logarithmic ? SoftmaxReference.logSoftmax(z) : SoftmaxReference.softmax(z)
                    for (i, expected) in reference.enumerated() {
                        let got = Double(forced[r * cols + i])
                        if expected.isNaN || got.isNaN {
                            #expect(expected.isNaN && got.isNaN, "\(label) row \(r) [\(i)]: \(got) vs \(expected)")
                        } else if !expected.isFinite || !got.isFinite {
                            #expect(got == expected, "\(label) row \(r) [\(i)]: \(got) vs \(expected)")
                        } else if logarithmic {
                            #expect(
                                abs(got - expected) <= tolerance.logSoftmaxAbsolute * max(1, abs(expected)),
                                "\(label) row \(r) [\(i)]: \(got) vs \(expected)")
                        } else if expected >= tolerance.smallestChecked {
                            #expect(abs(got - expected) <= tolerance.softmaxRelative * expected, "\(label) row \(r) [\(i)]: \(got) vs \(expected)")
                        }
                    }
                }
            }
        }
    }

    func run<T: KernelScalar>(_ x: [T], rows: Int, cols: Int, logarithmic: Bool, _ options: SoftmaxOptions) throws -> [T] {
        var y = [T](repeating: 0, count: x.count)
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                let (input, output) = (RowBatch(xb, rows: rows, cols: cols), MutableRowBatch(yb, rows: rows, cols: cols))
                if logarithmic {
                    try ExactSoftmax.logSoftmax(input, into: output, options: options)
                } else {
                    try ExactSoftmax.softmax(input, into: output, options: options)
                }
            }
        }
        return y
    }
}
