// Why an initramfs cpio archive was rejected (Linux panics or warns on these; Lichen reports them).

public enum CpioError: Error, Equatable, Sendable {
    case badMagic            // neither 070701 nor 070702 (070707, old binary/odc, is not supported, as in Linux)
    case badHexDigit         // a header field is not 8 hex digits
    case truncatedHeader     // the buffer ends inside a 110-byte header
    case badNameSize         // namesize 0 or over PATH_MAX
    case truncatedName       // the buffer ends inside the name
    case badName             // the name is not NUL-terminated or contains a NUL
    case truncatedData       // the buffer ends inside the file data
    case badChecksum         // 070702: the data's byte sum does not match the check field
    case badPadding          // zero padding between archives does not end on a 4-byte boundary
    case missingTrailer      // the buffer ends without TRAILER!!!
}
