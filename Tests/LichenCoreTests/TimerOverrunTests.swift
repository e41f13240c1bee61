import Testing
@testable import LichenCore

struct TimerOverrunTests {
    @Test func queuedSignalCollectsExpirations() {
        var o = TimerOverrun()
        let first = o.fired(1, signalQueued: false)
        let second = o.fired(3, signalQueued: true)
        let third = o.fired(1, signalQueued: true)
        #expect(first && !second && !third)
        let delivered = o.delivered(2)
        #expect(delivered == 6 && o.last == 6 && o.missed == 0)
        let again = o.fired(1, signalQueued: false)
        let none = o.delivered(0)
        #expect(again && none == 0)
    }

    @Test func lateFiringCountsExtraPeriods() {
        var o = TimerOverrun()
        _ = o.fired(5, signalQueued: false)
        let delivered = o.delivered(0)
        #expect(delivered == 4)
    }

    @Test func saturatesAtDelayTimerMax() {
        var o = TimerOverrun()
        o.reset(missed: UInt64.max - 1)
        _ = o.fired(10, signalQueued: true)
        let saturated = o.delivered(UInt64.max)
        #expect(saturated == Int32.max)
        o.reset(missed: 1 << 40)
        let large = o.delivered(0)
        #expect(large == TimerOverrun.delayTimerMax)
        o.reset()
        #expect(o.last == 0)
    }
}
