/// A declared input or output of a method, named as the method's definition names it.
public struct TensorSpec: Sendable {
    /// What the elements are; inputs are converted to it where that is exact.
    public enum Kind: String, Sendable, Codable { case real, boolean, index }

    public let name: String
    public let kind: Kind
    public let summary: String
    public let isOptional: Bool

    public init(_ name: String, _ summary: String, optional: Bool = false) {
        self.init(name, .real, summary, optional: optional)
    }

    public init(_ name: String, _ kind: Kind, _ summary: String, optional: Bool = false) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.isOptional = optional
    }
}
