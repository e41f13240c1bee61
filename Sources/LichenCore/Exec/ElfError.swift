// Why an executable was rejected. Every case becomes ENOEXEC in execve (ELIBBAD for an ELF
// interpreter, see ExecLoadError): a malformed or foreign file is never loaded and never crashes the
// kernel. The cases are distinct for tests and logs.

public enum ElfError: Error, Equatable, Sendable {
    case truncated            // shorter than the ELF header or the program header table
    case badMagic             // not \x7fELF
    case badClass             // not ELFCLASS64
    case badEncoding          // not little-endian (ELFDATA2LSB)
    case badVersion           // EI_VERSION or e_version is not EV_CURRENT
    case badABI               // OS ABI neither System V nor Linux
    case badMachine           // not the architecture's e_machine
    case badType              // neither ET_EXEC nor ET_DYN
    case badProgramHeaders    // e_phentsize, e_phnum or e_phoff unusable
    case segmentOutsideFile   // a segment's file bytes run past the end of the file
    case badSegmentSize       // p_filesz > p_memsz
    case badAlignment         // p_align neither 0/1 nor a power of two, or absurdly large
    case misalignedSegment    // p_vaddr and p_offset not congruent modulo the page size / p_align
    case addressWraparound    // a segment wraps around or reaches past user space
    case overlappingSegments  // PT_LOAD segments overlap or are not in ascending p_vaddr order
    case noLoadableSegments   // no PT_LOAD at all
    case badInterpreter       // PT_INTERP too short, too long or not NUL-terminated
    case badTLS               // PT_TLS malformed, or more than one
    case badEntry             // e_entry outside user space
}
