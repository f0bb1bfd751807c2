import SoftmaxKit
import SoftmaxLab
import Testing

/// The lab's default comparison: every computation once.
@Suite struct MethodVariantTests {
    @Test func theDefaultsRankEachComputationOnce() {
        let variants = MethodVariant.labDefaults()
        let labels = variants.map(\.label)
        #expect(Set(labels).count == labels.count)
        for named in ["two-pass-softmax", "online-softmax", "softermax"] { #expect(labels.contains(named), "\(named)") }
        for aliased in ["softmax[algorithm=two-pass]", "softmax[algorithm=online]", "softmax[exp=base2]"] {
            #expect(!labels.contains(aliased), "\(aliased) is ranked under its registered id")
        }
        // The other variants of softmax stay.
        #expect(labels.contains("softmax[algorithm=three-pass-recompute]") && labels.contains("softmax[exp=poly3]"))
    }
}
