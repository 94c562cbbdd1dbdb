/// HTML text for the `.html` report, escaped as it is encoded.
extension OutputBuffer {
    /// Text content or an attribute value (double-quoted): `&`, `<`, `>`, `"`, `'`
    /// become character references, so a manifest value such as a `comment` of
    /// `<script>…` shows as text and never becomes markup. C0 control characters
    /// (but tab, line feed, carriage return) and DEL become U+FFFD: they are not
    /// allowed in HTML text, could drive a terminal if the page is `cat`ed, and would
    /// make the page unreadable as XML.
    mutating func appendHTML(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "&"): append("&amp;")
                case UInt8(ascii: "<"): append("&lt;")
                case UInt8(ascii: ">"): append("&gt;")
                case UInt8(ascii: "\""): append("&quot;")
                case UInt8(ascii: "'"): append("&#39;")
                case 0x09, 0x0A, 0x0D: append(byte: byte)
                case 0..<0x20, 0x7F: append("\u{FFFD}")
                default: append(byte: byte)
                }
            }
        }
    }

    /// `<td>text</td>` (escaped); an em dash for a null.
    mutating func appendHTMLCell(_ text: String?, class className: StaticString? = nil) {
        appendHTMLOpen("td", className)
        if let text { appendHTML(text) } else { append("—") }
        append("</td>")
    }

    /// `<td class="num">1,234</td>`; an em dash for a null.
    mutating func appendHTMLNumberCell(_ value: Int?) {
        append("<td class=\"num\">")
        if let value { appendGrouped(value) } else { append("—") }
        append("</td>")
    }

    private mutating func appendHTMLOpen(_ tag: StaticString, _ className: StaticString?) {
        append(byte: UInt8(ascii: "<"))
        append(tag)
        if let className {
            append(" class=\"")
            append(className)
            append(byte: UInt8(ascii: "\""))
        }
        append(byte: UInt8(ascii: ">"))
    }

    /// `1,234,567`: figures a reviewer reads at a glance.
    mutating func appendGrouped(_ value: Int) {
        if value < 0 { append(byte: UInt8(ascii: "-")) }
        let digits = String(value.magnitude)
        for (index, digit) in digits.utf8.enumerated() {
            if index > 0 && (digits.utf8.count - index) % 3 == 0 { append(byte: UInt8(ascii: ",")) }
            append(byte: digit)
        }
    }
}
