/// What a row kernel writes to its output row.
@usableFromInline
enum RowOutput: Sendable {
    /// `yᵢ = softmax(x/T)ᵢ`.
    case probabilities
    /// `yᵢ = log softmax(x/T)ᵢ = xᵢ/T − logsumexp(x/T)`.
    case logProbabilities
    /// Nothing: only the row statistics (logsumexp, online or two-pass state) are wanted.
    case nothing
}
