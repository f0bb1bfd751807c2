extension BertEncoder {
    /// A batch of `B` sequences right-padded to `L` tokens.
    public struct Batch: Sendable {
        /// Token ids, `[B × L]`.
        public let ids: [Int]
        /// 1 for a token, 0 for padding; `[B × L]`.
        public let mask: [Int]
        public let size: Int, length: Int

        /// Pads the sequences to the longest with `padding`.
        public init(_ sequences: [[Int]], padding: Int = 0) {
            size = sequences.count
            length = sequences.map(\.count).max() ?? 0
            var ids = [Int](), mask = [Int]()
            for s in sequences {
                ids += s + [Int](repeating: padding, count: length - s.count)
                mask += [Int](repeating: 1, count: s.count) + [Int](repeating: 0, count: length - s.count)
            }
            self.ids = ids
            self.mask = mask
        }

        /// A batch from flat `ids` and `mask` of `size × length`; throws when their counts differ from it.
        public init(ids: [Int], mask: [Int], size: Int, length: Int) throws {
            guard ids.count == size * length, mask.count == size * length else {
                throw ModelError.setting("a batch of \(size) × \(length) needs \(size * length) ids and mask values, got \(ids.count) and \(mask.count)")
            }
            for b in 0..<size {
                let row = mask[(b * length)..<((b + 1) * length)]
                guard row.allSatisfy({ $0 == 0 || $0 == 1 }), !row.drop(while: { $0 == 1 }).contains(1) else {
                    throw ModelError.setting("attention mask row \(b) must be ones then zeros (right padding), got \(Array(row.prefix(16)))")
                }
            }
            self.ids = ids
            self.mask = mask
            self.size = size
            self.length = length
        }

        /// Real (non-padding) tokens of sequence `sequence`.
        public func tokens(of sequence: Int) -> Int { mask[(sequence * length)..<((sequence + 1) * length)].reduce(0, +) }
    }
}
