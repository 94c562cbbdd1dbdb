import Crypto
import Foundation

/// Verifies a bearer JWT for one account exactly as the API does (PRODUCT.md §2):
///
/// 1. parse (`JWT.parse`): size, segments, base64url, JSON objects without NUL, `alg`
///    HS256, `kid`;
/// 2. the key `kid` must exist for *this* account (a key of another tenant is
///    unknown here) and not be revoked;
/// 3. HMAC-SHA256 over the signing input with that key's secret, compared in
///    constant time; nothing in the payload is trusted before this passes;
/// 4. `exp` required and after now − leeway; `nbf`, when present, before now + leeway;
/// 5. `acct` is the account id; `sub` names the principal; a token whose `scope`
///    lacks `mfa:admin` is restricted to its `sub` user (which must then be a UUID).
public struct JWTVerifier: Sendable {
    /// Clock skew tolerated on `exp` and `nbf`.
    public var leeway: TimeInterval
    public static let adminScope = "mfa:admin"

    public init(leeway: TimeInterval = 60) {
        self.leeway = leeway
    }

    /// The decision for `token` on `account`. Throws only what the store throws.
    public func verify(token: String, account: StoredAccount, store: any CredentialStore,
                       now: Date) throws -> AuthDecision {
        let jwt: JWT
        do {
            jwt = try JWT.parse(token)
        } catch {
            return .denied(error)
        }
        guard let key = try store.jwtKey(accountID: account.id, kid: jwt.kid) else {
            return .denied(.unknownTokenKey)
        }
        let expected = Crypto.hmacSHA256(key: key.secret, message: jwt.signingInput)
        guard Crypto.constantTimeEqual(expected, jwt.signature) else { return .denied(.tokenSignatureInvalid) }
        // Only a correctly signed token learns that its key was revoked.
        guard !key.isRevoked else { return .denied(.tokenKeyRevoked) }

        let claims = jwt.claims
        let seconds = now.timeIntervalSince1970
        guard let exp = claims.exp else { return .denied(.tokenHasNoExp) }
        guard exp > seconds - leeway else { return .denied(.tokenExpired) }
        if let nbf = claims.nbf, nbf > seconds + leeway { return .denied(.tokenNotYetValid) }
        guard let acct = claims.acct.flatMap(UUID.init(uuidString:)), acct == account.id else {
            return .denied(.tokenAccountMismatch)
        }
        guard let sub = claims.sub, !sub.isEmpty else { return .denied(.malformedToken) }

        let credentialID = "jwt:\(jwt.kid):\(sub)"
        if claims.scopes.contains(Self.adminScope) {
            return .granted(Principal(credentialID: credentialID, accountID: account.id, restrictedToUser: nil,
                                      key: .jwtKey(kid: jwt.kid)))
        }
        // A user token acts only on its own user, so its subject must be a user id.
        guard let user = UUID(uuidString: sub) else { return .denied(.malformedToken) }
        return .granted(Principal(credentialID: credentialID, accountID: account.id, restrictedToUser: user,
                                  key: .jwtKey(kid: jwt.kid)))
    }
}
