import Testing
@testable import LichenCore

@Suite struct SchedulingAttributesTests {
    @Test func niceIsClampedAndOnlyRaisedWithoutPrivilege() throws {
        var s = SchedulingAttributes()
        try s.setNice(100, privileged: false)
        #expect(s.nice == 19 && s.priorityValue == 1)
        #expect(throws: Errno.EACCES) { try s.setNice(0, privileged: false) }
        try s.setNice(-100, privileged: true)
        #expect(s.nice == -20 && s.priorityValue == 40)
    }

    @Test func ioPriorityClasses() throws {
        var s = SchedulingAttributes()
        try s.setIOPriority(3 << 13, privileged: false)
        #expect(s.ioPriority == 3 << 13)
        try s.setIOPriority(2 << 13 | 7, privileged: false)
        #expect(throws: Errno.EINVAL) { try s.setIOPriority(2 << 13 | 8, privileged: false) }
        #expect(throws: Errno.EPERM) { try s.setIOPriority(1 << 13, privileged: false) }
        #expect(throws: Errno.EINVAL) { try s.setIOPriority(4 << 13, privileged: true) }
    }

    @Test func affinityKeepsOnlineCPUs() throws {
        #expect(try SchedulingAttributes.affinity(0b1110, onlineCPUs: 2) == 0b10)
        #expect(throws: Errno.EINVAL) { try SchedulingAttributes.affinity(0b1100, onlineCPUs: 2) }
        #expect(try SchedulingAttributes.affinity(.max, onlineCPUs: 64) == .max)
    }

    @Test func policies() throws {
        var s = SchedulingAttributes()
        #expect(throws: Errno.EINVAL) { try s.setPolicy(0, priority: 1, privileged: true) }
        #expect(throws: Errno.EPERM) { try s.setPolicy(1, priority: 10, privileged: false) }
        #expect(throws: Errno.EINVAL) { try s.setPolicy(2, priority: 100, privileged: true) }
        #expect(throws: Errno.EINVAL) { try s.setPolicy(4, priority: 0, privileged: true) }
        try s.setPolicy(2, priority: 50, privileged: true)
        #expect(s.policy == 2 && s.realtimePriority == 50)
    }

    @Test func statPriorityFollowsNiceAndPolicy() throws {
        var s = SchedulingAttributes()
        #expect(s.statPriority == 20 && s.statRealtimePriority == 0)
        try s.setNice(5, privileged: false)
        #expect(s.statPriority == 25)
        try s.setPolicy(1, priority: 10, privileged: true)
        #expect(s.statPriority == -11 && s.statRealtimePriority == 10)
    }
}
