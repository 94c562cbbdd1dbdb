import Crypto
import Foundation
import Testing
@testable import MFABatchCore

@Suite("Auth API key format and base64url")
struct AuthAPIKeyFormatTests {
    @Test func generatedKeyHasTheDocumentedShape() throws {
        let (key, prefix, hash) = APIKeyFormat.generate()
        #expect(key.hasPrefix(prefix + "_"))
        #expect(prefix.count == 13 && prefix.hasPrefix("mfab_"))
        #expect(prefix.dropFirst(5).allSatisfy { "0123456789abcdef".contains($0) })
        let secret = String(key.dropFirst(prefix.count + 1))
        #expect(secret.count == 43)
        #expect(secret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(hash == Crypto.sha256(Array(key.utf8)))
        #expect(hash == APIKeyFormat.hash(of: key))
        #expect(APIKeyFormat.isWellFormed(key))
        #expect(APIKeyFormat.visiblePrefix(of: key) == prefix)
    }

    @Test func generatedKeysDiffer() {
        let keys = Set((0..<100).map { _ in APIKeyFormat.generate().key })
        #expect(keys.count == 100)
    }

    @Test func malformedKeysAreRecognised() {
        #expect(!APIKeyFormat.isWellFormed(""))
        #expect(!APIKeyFormat.isWellFormed("mfab_1234567_" + String(repeating: "A", count: 44)))
        #expect(!APIKeyFormat.isWellFormed("mfab_1234567G_" + String(repeating: "A", count: 43)))
        #expect(!APIKeyFormat.isWellFormed("mfab_12345678_" + String(repeating: "A", count: 42) + "="))
        #expect(APIKeyFormat.isWellFormed("mfab_12345678_" + String(repeating: "A", count: 43)))
        #expect(APIKeyFormat.visiblePrefix(of: "nope") == nil)
    }

    @Test("base64url round-trips every length", arguments: 0..<40)
    func roundTrip(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
        let encoded = Base64URL.encode(bytes)
        #expect(encoded == AuthFixtures.base64url(bytes))
        #expect(Base64URL.decode(Array(encoded.utf8)) == bytes)
    }

    @Test func base64urlIsStrict() {
        #expect(Base64URL.decode(Array("QQ".utf8)) == [0x41])
        #expect(Base64URL.decode(Array("QR".utf8)) == nil)      // non-zero unused bits
        #expect(Base64URL.decode(Array("QQ==".utf8)) == nil)    // padding
        #expect(Base64URL.decode(Array("Q".utf8)) == nil)       // impossible length
        #expect(Base64URL.decode(Array("a+b/".utf8)) == nil)    // base64, not base64url
        #expect(Base64URL.decode(Array("a b".utf8)) == nil)
        #expect(Base64URL.decode(Array("-_-_".utf8)) == [0xfb, 0xff, 0xbf])
        #expect(Base64URL.decode(Array("".utf8)) == [])
    }
}
