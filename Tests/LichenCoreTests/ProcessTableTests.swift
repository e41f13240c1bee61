import Testing
@testable import LichenCore

@Suite struct ProcessTableTests {
    @Test func waitStatusEncoding() {
        #expect(ChildEvent.exited(code: 0).waitStatus == 0)
        #expect(ChildEvent.exited(code: 3).waitStatus == 0x300)
        #expect(ChildEvent.exited(code: 0x1ff).waitStatus == 0xff00)
        #expect(ChildEvent.killed(.SIGKILL, core: false).waitStatus == 9)
        #expect(ChildEvent.killed(.SIGSEGV, core: true).waitStatus == 0x8b)
        #expect(ChildEvent.stopped(.SIGTSTP).waitStatus == 0x147f)
        #expect(ChildEvent.continued.waitStatus == 0xffff)
        #expect(ChildEvent.killed(.SIGSEGV, core: true).siginfoCode == LinuxSigInfo.CLD_DUMPED)
        #expect(ChildEvent.killed(.SIGTERM, core: false).siginfoCode == LinuxSigInfo.CLD_KILLED)
        #expect(ChildEvent.exited(code: 7).siginfoStatus == 7 && ChildEvent.stopped(.SIGSTOP).siginfoStatus == 19)
        #expect(ChildEvent.continued.siginfoCode == LinuxSigInfo.CLD_CONTINUED)
    }

    @Test func pidAllocationIsCyclicAndWraps() throws {
        var ids = PidAllocator(pidMax: 400)
        #expect(try ids.allocate() == 1 && (try ids.allocate()) == 2)
        ids.release(1)
        #expect(try ids.allocate() == 3)    // above the last, not the lowest free
        while ids.last < 399 { _ = try ids.allocate() }
        #expect(ids.last == 399)
        ids.release(5); ids.release(350); ids.release(301)
        #expect(try ids.allocate() == 301)  // wraps to RESERVED_PIDS (300), not to 1
        #expect(try ids.allocate() == 350)
        #expect(throws: Errno.EAGAIN) { try ids.allocate() }   // 1 and 5 are below 300
        #expect(ids.isAllocated(2) && !ids.isAllocated(5) && !ids.isAllocated(0) && !ids.isAllocated(400))
        var small = PidAllocator(pidMax: 10)
        for _ in 1..<10 { _ = try small.allocate() }
        #expect(throws: Errno.EAGAIN) { try small.allocate() }
        small.release(4)
        #expect(try small.allocate() == 4)   // before 300 was ever passed, wrapping goes to 1
    }

    func table() throws -> ProcessTable {
        var t = ProcessTable()
        _ = try t.createInit()
        return t
    }

    @Test func forkLinksAndInheritsGroups() throws {
        var t = try table()
        #expect(t.record(1)?.pgid == 0 && t.record(1)?.sid == 0)
        let sid = try t.setsid(caller: 1)
        #expect(sid == 1)
        let a = try t.fork(parent: 1)
        let b = try t.fork(parent: a)
        #expect(a == 2 && b == 3)
        #expect(t.record(a)?.parent == 1 && t.children(of: 1) == [a] && t.children(of: a) == [b])
        #expect(t.record(b)?.pgid == 1 && t.record(b)?.sid == 1)
        #expect(throws: Errno.ESRCH) { try t.fork(parent: 99) }
        #expect(try t.getpgid(0, caller: b) == 1 && (try t.getsid(b, caller: 1)) == 1)
        #expect(throws: Errno.ESRCH) { try t.getpgid(42, caller: 1) }
        #expect(throws: Errno.ESRCH) { try t.getsid(42, caller: 1) }
    }

    @Test func setpgidRules() throws {
        var t = try table()
        _ = try t.setsid(caller: 1)
        let shell = try t.fork(parent: 1)
        _ = try t.setsid(caller: shell)                               // the shell leads its own session
        let job = try t.fork(parent: shell)
        let other = try t.fork(parent: 1)
        try t.setpgid(caller: shell, pid: job, pgid: 0)               // the shell puts the job in its own group
        #expect(t.record(job)?.pgid == job)
        try t.setpgid(caller: job, pid: 0, pgid: 0)                   // the child does it too (race-free idiom)
        let job2 = try t.fork(parent: shell)
        try t.setpgid(caller: shell, pid: job2, pgid: job)            // a pipeline joins the first job's group
        #expect(t.record(job2)?.pgid == job)
        #expect(throws: Errno.EINVAL) { try t.setpgid(caller: shell, pid: job, pgid: -1) }
        #expect(throws: Errno.ESRCH) { try t.setpgid(caller: shell, pid: other, pgid: 0) }   // not a child
        #expect(throws: Errno.ESRCH) { try t.setpgid(caller: shell, pid: 999, pgid: 0) }
        #expect(throws: Errno.EPERM) { try t.setpgid(caller: shell, pid: 0, pgid: job) }     // session leader
        #expect(throws: Errno.EPERM) { try t.setpgid(caller: shell, pid: job2, pgid: 555) }  // no such group
        #expect(throws: Errno.EPERM) { try t.setpgid(caller: shell, pid: job2, pgid: 1) }    // group in another session
        t.exec(job2)
        #expect(throws: Errno.EACCES) { try t.setpgid(caller: shell, pid: job2, pgid: job2) }
        // A child in another session: EPERM.
        let child = try t.fork(parent: shell)
        _ = try t.setsid(caller: child)
        #expect(throws: Errno.EPERM) { try t.setpgid(caller: shell, pid: child, pgid: shell) }
    }

    @Test func setsidRules() throws {
        var t = try table()
        let a = try t.fork(parent: 1)
        #expect(try t.setsid(caller: a) == a)
        #expect(t.record(a)?.isSessionLeader == true && t.record(a)?.isGroupLeader == true)
        #expect(throws: Errno.EPERM) { try t.setsid(caller: a) }
        let b = try t.fork(parent: a)
        let c = try t.fork(parent: a)
        try t.setpgid(caller: b, pid: 0, pgid: 0)
        #expect(throws: Errno.EPERM) { try t.setsid(caller: b) }    // a group leader
        #expect(try t.setsid(caller: c) == c)
        #expect(t.members(ofSession: a).sorted() == [a, b])
    }

    @Test func exitZombieAndWait() throws {
        var t = try table()
        let parent = try t.fork(parent: 1)
        let c1 = try t.fork(parent: parent)
        let c2 = try t.fork(parent: parent)
        #expect(try t.wait(caller: parent, selector: .any, options: [.exited, .noHang]) == .nothingYet)
        #expect(try t.wait(caller: parent, selector: .any, options: .exited) == .mustBlock)
        let out = t.exit(c2, event: .exited(code: 4), parentActions: SignalActionTable())!
        #expect(out.parent == parent && out.signal == .SIGCHLD && !out.autoReaped && t.record(c2)?.isZombie == true)
        // WNOWAIT leaves it; then it is reaped and the pid freed.
        #expect(try t.wait(caller: parent, selector: .any, options: [.exited, .noWait])
                == .reported(WaitReport(pid: c2, event: .exited(code: 4), reaped: false)))
        guard case .reported(let r) = try t.wait(caller: parent, selector: .any, options: .exited) else { Issue.record(); return }
        #expect(r.pid == c2 && r.status == 0x400 && r.reaped && !t.contains(c2) && !t.ids.isAllocated(c2))
        #expect(t.children(of: parent) == [c1])
        #expect(throws: Errno.ECHILD) { try t.wait(caller: parent, selector: .pid(c2), options: .exited) }
        #expect(throws: Errno.ECHILD) { try t.wait(caller: c1, selector: .any, options: .exited) }
        _ = t.exit(c1, event: .killed(.SIGTERM, core: false), parentActions: SignalActionTable())
        guard case .reported(let r1) = try t.wait(caller: parent, selector: .pid(c1), options: .exited) else { Issue.record(); return }
        #expect(r1.status == 15)
        #expect(throws: Errno.ECHILD) { try t.wait(caller: parent, selector: .any, options: [.exited, .noHang]) }
        #expect(t.exit(1, event: .exited(code: 0), parentActions: SignalActionTable()) == nil)   // init does not exit here
    }

    @Test func waitSelectorsAndOptions() throws {
        #expect(try WaitSelector.wait4(pid: -1, callerGroup: 5) == .any)
        #expect(try WaitSelector.wait4(pid: 0, callerGroup: 5) == .processGroup(5))
        #expect(try WaitSelector.wait4(pid: -7, callerGroup: 5) == .processGroup(7))
        #expect(try WaitSelector.wait4(pid: 9, callerGroup: 5) == .pid(9))
        #expect(throws: Errno.ESRCH) { try WaitSelector.wait4(pid: Int32.min, callerGroup: 5) }
        #expect(try WaitSelector.waitid(idtype: WaitSelector.P_PGID, id: 0, callerGroup: 5) == .processGroup(5))
        #expect(throws: Errno.EINVAL) { try WaitSelector.waitid(idtype: WaitSelector.P_PID, id: 0, callerGroup: 5) }
        #expect(throws: Errno.EINVAL) { try WaitSelector.waitid(idtype: 9, id: 1, callerGroup: 5) }
        #expect(try WaitOptions.wait4(0) == .exited)
        #expect(try WaitOptions.wait4(0x3) == [.exited, .noHang, .stopped])
        #expect(throws: Errno.EINVAL) { try WaitOptions.wait4(0x4) }          // WEXITED is not a wait4 option
        #expect(throws: Errno.EINVAL) { try WaitOptions.wait4(0x0100_0000) }  // nor WNOWAIT
        #expect(throws: Errno.EINVAL) { try WaitOptions.waitid(0x1) }         // none of exited/stopped/continued
        #expect(throws: Errno.EINVAL) { try WaitOptions.waitid(0x4 | 0x10) }
        #expect(try WaitOptions.waitid(0x0100_0004) == [.exited, .noWait])
    }

    @Test func waitByGroupAndStopContinueReports() throws {
        var t = try table()
        let sh = try t.fork(parent: 1)
        _ = try t.setsid(caller: sh)
        let a = try t.fork(parent: sh)
        let b = try t.fork(parent: sh)
        try t.setpgid(caller: sh, pid: b, pgid: b)
        #expect(t.stop(b, by: .SIGTSTP) == sh)
        // WUNTRACED only; a group that has no such child gives ECHILD.
        #expect(try t.wait(caller: sh, selector: .any, options: [.exited, .noHang]) == .nothingYet)
        #expect(throws: Errno.ECHILD) { try t.wait(caller: sh, selector: .processGroup(77), options: [.exited, .stopped]) }
        #expect(try t.wait(caller: sh, selector: .processGroup(sh), options: [.exited, .stopped, .noHang]) == .nothingYet)
        #expect(try t.wait(caller: sh, selector: .processGroup(b), options: [.exited, .stopped])
                == .reported(WaitReport(pid: b, event: .stopped(.SIGTSTP), reaped: false)))
        // Reported once.
        #expect(try t.wait(caller: sh, selector: .any, options: [.exited, .stopped, .noHang]) == .nothingYet)
        #expect(t.resume(b) == sh && t.resume(b) == nil)
        #expect(try t.wait(caller: sh, selector: .any, options: [.exited, .continued])
                == .reported(WaitReport(pid: b, event: .continued, reaped: false)))
        #expect(try t.wait(caller: sh, selector: .any, options: [.exited, .continued, .noHang]) == .nothingYet)
        // Children are considered in creation order.
        _ = t.exit(b, event: .exited(code: 1), parentActions: SignalActionTable())
        _ = t.exit(a, event: .exited(code: 2), parentActions: SignalActionTable())
        guard case .reported(let first) = try t.wait(caller: sh, selector: .any, options: .exited) else { Issue.record(); return }
        #expect(first.pid == a)
    }

    @Test func cloneChildrenNeedWallOrWclone() throws {
        var t = try table()
        let p = try t.fork(parent: 1)
        let thread = try t.fork(parent: p, exitSignal: nil)
        _ = t.exit(thread, event: .exited(code: 0), parentActions: SignalActionTable())
        // Without __WCLONE/__WALL the only child is invisible: ECHILD, as in Linux.
        #expect(throws: Errno.ECHILD) { try t.wait(caller: p, selector: .any, options: [.exited, .noHang]) }
        #expect(throws: Errno.ECHILD) { try t.wait(caller: p, selector: .pid(thread), options: [.exited, .noHang]) }
        guard case .reported = try t.wait(caller: p, selector: .any, options: [.exited, .all, .noWait]) else { Issue.record(); return }
        guard case .reported = try t.wait(caller: p, selector: .any, options: [.exited, .clone]) else { Issue.record(); return }
    }

    /// sysfuzz seed 1: a clone child with exit signal SIGHUP (or SIGALRM) outlived its parent and,
    /// reparented, sent that signal to init on exit. Linux resets it to SIGCHLD when reparenting.
    @Test func reparentedChildExitsWithSigchld() throws {
        var t = try table()
        let p = try t.fork(parent: 1)
        let c = try t.fork(parent: p, exitSignal: .SIGHUP)
        _ = t.exit(p, event: .exited(code: 0), parentActions: SignalActionTable())
        let out = t.exit(c, event: .exited(code: 0), parentActions: SignalActionTable())!
        #expect(out.parent == 1 && out.signal == .SIGCHLD)
        // and init's plain wait sees it: no longer a "clone" child
        guard case .reported(let r) = try t.wait(caller: 1, selector: .pid(c), options: [.exited, .noHang]) else { Issue.record(); return }
        #expect(r.pid == c)
    }

    @Test func autoReapWhenParentIgnoresSigchld() throws {
        var t = try table()
        let p = try t.fork(parent: 1)
        let c = try t.fork(parent: p)
        var ignoring = SignalActionTable()
        try ignoring.change(.SIGCHLD, to: SignalAction(handler: .ignore))
        let out = t.exit(c, event: .exited(code: 0), parentActions: ignoring)!
        #expect(out.autoReaped && out.signal == nil && !t.contains(c))
        #expect(throws: Errno.ECHILD) { try t.wait(caller: p, selector: .any, options: .exited) }
        let d = try t.fork(parent: p)
        var noWait = SignalActionTable()
        try noWait.change(.SIGCHLD, to: SignalAction(handler: .function(0x100), flags: .noChildWait))
        let out2 = t.exit(d, event: .exited(code: 0), parentActions: noWait)!
        #expect(out2.autoReaped && out2.signal == .SIGCHLD && !t.contains(d))
    }

    @Test func orphansGoToInit() throws {
        var t = try table()
        let p = try t.fork(parent: 1)
        let c1 = try t.fork(parent: p)
        let c2 = try t.fork(parent: p)
        _ = t.exit(c2, event: .exited(code: 9), parentActions: SignalActionTable())
        let out = t.exit(p, event: .exited(code: 0), parentActions: SignalActionTable())!
        #expect(out.reparented == [c1, c2] && out.reparentedZombies == [c2])
        #expect(t.record(c1)?.parent == 1 && t.children(of: 1) == [p, c1, c2])
        guard case .reported(let r) = try t.wait(caller: 1, selector: .pid(c2), options: .exited) else { Issue.record(); return }
        #expect(r.status == 0x900)
        #expect(t.reap(p) && !t.reap(c1))
    }

    @Test func orphansGoToTheNearestLiveSubreaper() throws {
        var t = try table()
        let outer = try t.fork(parent: 1)
        let inner = try t.fork(parent: outer)
        let middle = try t.fork(parent: inner)
        let child = try t.fork(parent: middle)
        t.setChildSubreaper(outer, true)
        t.setChildSubreaper(inner, true)
        let out = t.exit(middle, event: .exited(code: 0), parentActions: SignalActionTable())!
        #expect(out.reaper == inner && t.record(child)?.parent == inner && t.children(of: inner).contains(child))
        // The subreaper itself exits: its orphans go to the next one up, not to init.
        _ = t.exit(inner, event: .exited(code: 0), parentActions: SignalActionTable())
        #expect(t.record(child)?.parent == outer)
        t.setChildSubreaper(outer, false)
        let grandchild = try t.fork(parent: child)
        _ = t.exit(child, event: .exited(code: 0), parentActions: SignalActionTable())
        #expect(t.record(grandchild)?.parent == 1)
    }

    @Test func orphanedStoppedGroupsGetHangup() throws {
        var t = try table()
        let login = try t.fork(parent: 1)
        _ = try t.setsid(caller: login)
        let shell = try t.fork(parent: login)
        try t.setpgid(caller: shell, pid: 0, pgid: 0)
        let job = try t.fork(parent: shell)
        try t.setpgid(caller: shell, pid: job, pgid: job)
        #expect(!t.isOrphaned(group: job) && !t.isOrphaned(group: shell))
        t.stop(job, by: .SIGTSTP)
        #expect(t.hasStoppedMembers(group: job))
        // The shell exits: the job's group loses its only link in the session.
        let out = t.exit(shell, event: .killed(.SIGHUP, core: false), parentActions: SignalActionTable())!
        #expect(out.orphanedStoppedGroups == [job])
        #expect(t.isOrphaned(group: job))
    }

    @Test func killTargets() throws {
        var t = try table()
        let a = try t.fork(parent: 1)
        try t.setpgid(caller: a, pid: 0, pgid: 0)
        let b = try t.fork(parent: a)
        let c = try t.fork(parent: 1)
        #expect(try t.killTargets(pid: b, caller: c) == [b])
        #expect(try t.killTargets(pid: 0, caller: b) == [a, b])
        #expect(try t.killTargets(pid: -a, caller: c) == [a, b])
        #expect(try t.killTargets(pid: -1, caller: c) == [a, b])
        #expect(throws: Errno.ESRCH) { try t.killTargets(pid: 999, caller: c) }
        #expect(throws: Errno.ESRCH) { try t.killTargets(pid: -999, caller: c) }
        #expect(throws: Errno.ESRCH) { try t.killTargets(pid: Int32.min, caller: c) }
    }
}
