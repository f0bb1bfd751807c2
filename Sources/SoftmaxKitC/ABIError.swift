import CSoftmaxKit
import SoftmaxKit

/// An error of the C interface itself (a tensor description it cannot use), before any method runs.
struct ABIError: Error, CustomStringConvertible {
    let status: sk_status
    let description: String

    static func argument(_ message: String) -> ABIError { ABIError(status: SK_ERROR_ARGUMENT, description: message) }
    static func shape(_ message: String) -> ABIError { ABIError(status: SK_ERROR_SHAPE, description: message) }
    static func dtype(_ message: String) -> ABIError { ABIError(status: SK_ERROR_DTYPE, description: message) }
}

/// Runs `body`, turning a thrown error into its status code and this thread's last-error message.
func reportingErrors(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        sk__set_last_error("")
        return Int32(SK_OK.rawValue)
    } catch {
        sk__set_last_error("\(error)")
        return Int32(status(of: error).rawValue)
    }
}

/// The status code of an error from the library or the interface.
func status(of error: any Error) -> sk_status {
    switch error {
    case let e as ABIError: return e.status
    case let e as RegistryError:
        switch e {
        case .unknownMethod: return SK_ERROR_UNKNOWN_METHOD
        case .unknownParameter, .invalidParameter, .badParameterSyntax: return SK_ERROR_PARAMETER
        case .missingInput, .unknownInput: return SK_ERROR_ARGUMENT
        }
    case let e as TensorError:
        if case .inexactConversion = e { return SK_ERROR_DTYPE }
        return SK_ERROR_SHAPE
    case is MemoryBudgetError: return SK_ERROR_MEMORY
    default: return SK_ERROR_FAILED
    }
}
