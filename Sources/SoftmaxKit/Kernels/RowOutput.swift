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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a row kernel learned about its row, from which the logsumexp follows. The logarithm is
/// taken only when a caller asks (softmax itself never needs it).
@usableFromInline
enum RowStatistics: Sendable {
    /// `logsumexp = maximum + log sum`.
    case shifted(maximum: Double, sum: Double)
    /// The two-pass `(M, N)`.
    case extended(ExtendedSum)
    /// Rows of the shared contract's special cases: the logsumexp itself (NaN, ±∞).
    case special(Double)

    @inlinable
    var logSumExp: Double {
        switch self {
        case let .shifted(m, d): m + log(d)
        case let .extended(e): e.logSumExp
        case let .special(lse): lse
        }
    }
}
