#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// The platform C library's scalar functions under names no member shadows: inside a type with a
// static `exp` or `log` (every `KernelScalar`), an unqualified call finds the member, and a
// qualified one (`Glibc.exp`) names one platform. These resolve to the global C function on any
// platform that has one.

@usableFromInline @inline(__always) package func libmExp(_ x: Double) -> Double { exp(x) }
@usableFromInline @inline(__always) package func libmExp2(_ x: Double) -> Double { exp2(x) }
@usableFromInline @inline(__always) package func libmLog(_ x: Double) -> Double { log(x) }
@usableFromInline @inline(__always) package func libmErfc(_ x: Double) -> Double { erfc(x) }
@usableFromInline @inline(__always) package func libmTanh(_ x: Double) -> Double { tanh(x) }
@usableFromInline @inline(__always) package func libmCos(_ x: Double) -> Double { cos(x) }
@usableFromInline @inline(__always) package func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@usableFromInline @inline(__always) package func libmFloor(_ x: Double) -> Double { floor(x) }
