import Foundation
import SoftmaxKit

/// Parameters given to the C interface as a JSON object: numbers, booleans, strings and arrays of
/// numbers, as `--param NAME=VALUE` takes them on the command line.
enum ParametersJSON {
    static func parse(_ text: UnsafePointer<CChar>?) throws -> [String: ParameterValue] {
        guard let text else { return [:] }
        let data = Data(String(cString: text).utf8)
        if data.isEmpty { return [:] }
        do {
            return try JSONDecoder().decode([String: Value].self, from: data).mapValues(\.value)
        } catch let error as RegistryError {
            throw error
        } catch {
            let shown = String(decoding: data.prefix(120), as: UTF8.self)
            throw RegistryError.badParameterSyntax("params_json must be a JSON object of numbers, booleans, strings or arrays of numbers: \(shown)")
        }
    }

    /// One value; booleans are tried first (the decoder does not read `1` as `true`).
    private struct Value: Decodable {
        let value: ParameterValue

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                value = .boolean(b)
            } else if let d = try? c.decode(Double.self) {
                value = .number(d)
            } else if let s = try? c.decode(String.self) {
                value = .string(s)
            } else {
                value = .array(try c.decode([Double].self))
            }
        }
    }
}
