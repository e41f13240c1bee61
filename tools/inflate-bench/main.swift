// Host micro-benchmark of the initramfs unpack path (not a test): `tools/inflate-bench.sh [FILE.gz]`.
// Prints MB/s of output for CRC-32 alone, raw inflate, gzip (inflate + CRC, through the callback
// API), gzip straight into one buffer, and gzip + cpio walk.
import LichenCoreBench
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

let args = CommandLine.arguments
let path = args.count > 1 ? args[1] : "build/diff/initramfs/run.cpio.gz"
let only = args.count > 2 ? args[2] : "all"
let runs = args.count > 3 ? Int(args[3])! : 15
let image = readFile(path)
var plain: [UInt8] = []
_ = try! Gzip.decompress(image, into: &plain)
print("\(path): \(image.count) bytes gzip, \(plain.count) bytes out")

func bench(_ name: String, _ body: () -> Int) {
    guard only == "all" || only == name else { return }
    _ = body()  // warm up
    var best = Double.infinity
    var sink = 0
    for _ in 0..<runs {
        let t0 = now()
        sink &+= body()
        best = min(best, now() - t0)
    }
    let mbps = Double(plain.count) / best / 1e6
    print("\(name): \(Int(mbps)) MB/s (best of \(runs), \(Int(best * 1e6)) us) [\(sink & 1)]")
}

image.withUnsafeBytes { img in
    plain.withUnsafeBytes { out in
        bench("crc32") { Int(CRC32.checksum(out)) }
        let header = try! GzipHeader(img)
        let stream = UnsafeRawBufferPointer(rebasing: img[header.dataOffset...])
        bench("inflate") {
            var n = 0
            _ = try! Inflate.decompress(stream) { n &+= $0.count }
            return n
        }
        bench("gzip") {
            var n = 0
            _ = try! Gzip.member(img, at: 0) { n &+= $0.count }
            return n
        }
        let room = UnsafeMutableRawBufferPointer.allocate(byteCount: plain.count + 4096, alignment: 16)
        bench("direct") {  // gzip straight into one buffer (as the kernel does), CRC over it at the end
            let r = try! Gzip.member(img, at: 0, into: room) { _ in nil }
            return r.produced
        }
        bench("initramfs") {
            var n = 0
            try! Initramfs.forEachEntry(img) { entry, _ in n &+= entry.data.count }
            return n
        }
    }
}
