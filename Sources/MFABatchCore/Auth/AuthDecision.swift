/// The verdict on one credential for one account: granted as a principal, or
/// denied with a reason. Decisions are values so they can be cached per
/// (credential, account) and carried into the report.
public enum AuthDecision: Sendable, Hashable {
    case granted(Principal)
    case denied(AuthDenial)

    public var principal: Principal? {
        if case .granted(let principal) = self { return principal }
        return nil
    }

    public var denial: AuthDenial? {
        if case .denied(let denial) = self { return denial }
        return nil
    }
}
