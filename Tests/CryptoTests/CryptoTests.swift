import Crypto
import Foundation
import Testing

@Suite struct CryptoTests {
    @Test func sha256OfKnownVectors() {
        #expect(Crypto.hex(Crypto.sha256(Data())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Crypto.hex(Crypto.sha256(Data("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// RFC 4231 test case 2.
    @Test func hmacSHA256OfRFC4231Vector() {
        let mac = Crypto.hmacSHA256(key: Data("Jefe".utf8), message: Data("what do ya want for nothing?".utf8))
        #expect(Crypto.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hmacWithEmptyKeyWorks() {
        // RFC-independent check: an empty key is legal HMAC input and must not crash.
        #expect(Crypto.hmacSHA256(key: Data(), message: Data("x".utf8)).count == 32)
    }

    @Test func constantTimeEqual() {
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test func randomBytesDiffer() {
        let a = Crypto.randomBytes(32), b = Crypto.randomBytes(32)
        #expect(a.count == 32)
        #expect(a != b)
    }
}

@Suite struct SHA256StreamTests {
    @Test func incrementalDigestEqualsOneShot() {
        let message = Array((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let stream = SHA256Stream()
        var offset = 0
        for size in [1, 63, 64, 65, 4096, 100_000] where offset < message.count {
            let end = min(message.count, offset + size)
            stream.update(Array(message[offset..<end]))
            offset = end
        }
        #expect(offset == message.count)
        #expect(stream.finish() == Crypto.sha256(message))
    }
}
