/// Errors the exact kernels throw for bad arguments (never from inside a hot loop).
public enum SoftmaxError: Error, Equatable, CustomStringConvertible {
    /// Two arguments that must have the same shape do not.
    case shapeMismatch(argument: String, expected: String, actual: String)
    /// The temperature is not finite and > 0, or its reciprocal overflows.
    case invalidTemperature(Double)
    /// The thread count is < 1.
    case invalidThreadCount(Int)
    /// A forced schedule cannot compute the call (`SoftmaxSchedule.plan(for:forcing:)`).
    case scheduleNotApplicable(SoftmaxSchedule, reason: String)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .shapeMismatch(argument, expected, actual):
            return "\(argument) has shape \(actual), expected \(expected)"
        case let .invalidTemperature(t):
            return "temperature must be finite and > 0 (with a finite reciprocal), got \(t)"
        case let .invalidThreadCount(n):
            return "threads must be ≥ 1, got \(n)"
        case let .scheduleNotApplicable(schedule, reason):
            return "schedule \(schedule.rawValue) cannot compute this call: \(reason)"
        }
    }
}
