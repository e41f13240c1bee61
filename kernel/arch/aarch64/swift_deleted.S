// swift_deletedAsyncMethodErrorTu: the async function pointer the compiler puts in a witness table
// slot whose method dead-method elimination removed (the synchronous twin, swift_deletedMethodError,
// comes with the Embedded standard library; the async one does not). Calling it is a compiler bug:
// panic. An async function pointer is {relative offset to the function, initial context size}.
    .section .rodata.swift_deleted, "a"
    .globl swift_deletedAsyncMethodErrorTu
    .p2align 2
swift_deletedAsyncMethodErrorTu:
    .long lichen_deleted_async_method - swift_deletedAsyncMethodErrorTu
    .long 16

    .text
    .p2align 2
lichen_deleted_async_method:
    adrp x0, deleted_message
    add x0, x0, :lo12:deleted_message
    b lichen_c_panic

    .section .rodata.swift_deleted_message, "a"
deleted_message:
    .asciz "called an async method that dead-method elimination deleted"
