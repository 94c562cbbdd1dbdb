import Dispatch
import Foundation
import MFABatchCore

/// Turns SIGINT / SIGTERM into an `Interruption` request instead of killing the
/// process, for as long as the monitor lives: the run then finishes or rolls back
/// the current tenant and writes its report. The default handlers come back when
/// the monitor is released.
final class SignalMonitor {
    let interruption = Interruption()
    private var sources: [any DispatchSourceSignal] = []

    init(console: Console) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let interruption = self.interruption
            source.setEventHandler {
                interruption.request(signal: number)
                console.info("mfa-batch: \(number == SIGINT ? "SIGINT" : "SIGTERM") received: finishing the current tenant, then writing the report")
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
