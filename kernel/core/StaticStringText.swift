/// A StaticString as a String, for building log lines (StaticString has no `+`).
func string(_ s: StaticString) -> String {
    s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
}
