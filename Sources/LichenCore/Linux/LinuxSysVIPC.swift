// System V IPC structures of the Linux arm64 user ABI (asm-generic: the 64-bit forms are the only
// ones, and the command is passed without IPC_64): `struct ipc64_perm`, `shmid64_ds`, `semid64_ds`,
// `msqid64_ds`, `sembuf`, `seminfo`, `msginfo`, `shminfo64`, `shm_info`.

/// `struct ipc64_perm`: 48 bytes.
public struct LinuxIPC64Perm: Sendable {
    public var key: Int32 = 0
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var cuid: UInt32 = 0
    public var cgid: UInt32 = 0
    public var mode: UInt32 = 0
    public var seq: UInt16 = 0
    public var __pad2: UInt16 = 0
    public var __unused1: UInt64 = 0
    public var __unused2: UInt64 = 0
    public init() {}
}

/// `struct shmid64_ds`: 112 bytes.
public struct LinuxShmid64DS: Sendable {
    public var shm_perm = LinuxIPC64Perm()
    public var shm_segsz: UInt64 = 0
    public var shm_atime: Int64 = 0
    public var shm_dtime: Int64 = 0
    public var shm_ctime: Int64 = 0
    public var shm_cpid: Int32 = 0
    public var shm_lpid: Int32 = 0
    public var shm_nattch: UInt64 = 0
    public var __unused4: UInt64 = 0
    public var __unused5: UInt64 = 0
    public init() {}
}

/// `struct semid64_ds`: 88 bytes.
public struct LinuxSemid64DS: Sendable {
    public var sem_perm = LinuxIPC64Perm()
    public var sem_otime: Int64 = 0
    public var sem_ctime: Int64 = 0
    public var sem_nsems: UInt64 = 0
    public var __unused3: UInt64 = 0
    public var __unused4: UInt64 = 0
    public init() {}
}

/// `struct msqid64_ds`: 120 bytes.
public struct LinuxMsqid64DS: Sendable {
    public var msg_perm = LinuxIPC64Perm()
    public var msg_stime: Int64 = 0
    public var msg_rtime: Int64 = 0
    public var msg_ctime: Int64 = 0
    public var msg_cbytes: UInt64 = 0
    public var msg_qnum: UInt64 = 0
    public var msg_qbytes: UInt64 = 0
    public var msg_lspid: Int32 = 0
    public var msg_lrpid: Int32 = 0
    public var __unused4: UInt64 = 0
    public var __unused5: UInt64 = 0
    public init() {}
}

/// `struct sembuf`: 6 bytes.
public struct LinuxSembuf: Sendable {
    public var sem_num: UInt16 = 0
    public var sem_op: Int16 = 0
    public var sem_flg: Int16 = 0
    public init() {}
    public init(sem_num: UInt16, sem_op: Int16, sem_flg: Int16) {
        self.sem_num = sem_num
        self.sem_op = sem_op
        self.sem_flg = sem_flg
    }
}

/// `struct seminfo`: 40 bytes (IPC_INFO and SEM_INFO).
public struct LinuxSeminfo: Sendable {
    public var semmap: Int32 = 0
    public var semmni: Int32 = 0
    public var semmns: Int32 = 0
    public var semmnu: Int32 = 0
    public var semmsl: Int32 = 0
    public var semopm: Int32 = 0
    public var semume: Int32 = 0
    public var semusz: Int32 = 0
    public var semvmx: Int32 = 0
    public var semaem: Int32 = 0
    public init() {}
}

/// `struct msginfo`: 32 bytes (IPC_INFO and MSG_INFO).
public struct LinuxMsginfo: Sendable {
    public var msgpool: Int32 = 0
    public var msgmap: Int32 = 0
    public var msgmax: Int32 = 0
    public var msgmnb: Int32 = 0
    public var msgmni: Int32 = 0
    public var msgssz: Int32 = 0
    public var msgtql: Int32 = 0
    public var msgseg: UInt16 = 0
    /// The C struct's tail padding (sizeof is 32).
    public var __pad: UInt16 = 0
    public init() {}
}

/// `struct shminfo64`: 72 bytes (shmctl IPC_INFO).
public struct LinuxShminfo64: Sendable {
    public var shmmax: UInt64 = 0
    public var shmmin: UInt64 = 0
    public var shmmni: UInt64 = 0
    public var shmseg: UInt64 = 0
    public var shmall: UInt64 = 0
    public var __unused1: UInt64 = 0
    public var __unused2: UInt64 = 0
    public var __unused3: UInt64 = 0
    public var __unused4: UInt64 = 0
    public init() {}
}

/// `struct shm_info`: 48 bytes (shmctl SHM_INFO).
public struct LinuxShmInfo: Sendable {
    public var used_ids: Int32 = 0
    public var shm_tot: UInt64 = 0
    public var shm_rss: UInt64 = 0
    public var shm_swp: UInt64 = 0
    public var swap_attempts: UInt64 = 0
    public var swap_successes: UInt64 = 0
    public init() {}
}
