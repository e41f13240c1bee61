// Why a gzip/DEFLATE stream (RFC 1951/1952) was rejected.

public enum InflateError: Error, Equatable, Sendable {
    case truncated           // the input ends inside the stream, the header or the trailer
    case badBlockType        // BTYPE 11
    case badStoredLength     // a stored block's NLEN is not the complement of LEN
    case badCodeLengths      // an over-subscribed or incomplete Huffman code, or a bad repeat
    case missingEndOfBlock   // the literal/length code has no end-of-block symbol
    case badSymbol           // an unassigned code, or length/distance symbols 286-287 / 30-31
    case distanceTooFar      // a back-reference before the start of the output
    case badGzipHeader       // no gzip magic, method not deflate, or reserved flags set
    case badHeaderChecksum   // FHCRC does not match
    case badChecksum         // the member's CRC-32 does not match its data
    case badLength           // ISIZE does not match the data's length modulo 2^32
    case outputTooLarge      // the caller could not give the output more room
}
