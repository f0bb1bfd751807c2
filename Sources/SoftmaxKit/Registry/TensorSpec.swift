/// A declared input or output of a method, named as the method's definition names it.
public struct TensorSpec: Sendable {
    /// What the elements are; inputs are converted to it where that is exact.
    public enum Kind: String, Sendable, Codable { case real, boolean, index }

    /// The name `call` takes it by (`x`, `mask`, `logits`).
    public let name: String
    /// Real, boolean or index elements.
    public let kind: Kind
    /// Its shape and meaning, as `softmaxkit methods` prints them.
    public let summary: String
    /// Whether a call may leave it out.
    public let isOptional: Bool

    /// A real tensor.
    public init(_ name: String, _ summary: String, optional: Bool = false) {
        self.init(name, .real, summary, optional: optional)
    }

    /// A tensor of `kind` elements.
    public init(_ name: String, _ kind: Kind, _ summary: String, optional: Bool = false) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.isOptional = optional
    }
}
