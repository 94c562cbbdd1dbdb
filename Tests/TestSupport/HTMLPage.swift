import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The `.html` report read back as XML (it is well-formed on purpose): every element
/// with its attributes and text, so tests can find figures by their `data-*`
/// attributes and check that no manifest value became markup.
public final class HTMLPage: NSObject, XMLParserDelegate {
    public struct Element: Sendable {
        public var name: String
        public var attributes: [String: String]
        public var text: String
    }

    public private(set) var elements: [Element] = []
    private var open: [Int] = []
    private var parseError: (any Error)?

    public init(_ data: Data) throws {
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        guard parser.parse() else {
            throw parseError ?? parser.parserError ?? CocoaError(.propertyListReadCorrupt)
        }
    }

    public func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: elementName, attributes: attributes, text: ""))
    }

    public func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) {
        for index in open { elements[index].text += string }
    }

    public func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) {
        parseError = error
    }

    /// Elements whose attribute `name` is `value` (or has any value when nil).
    public func all(_ name: String, _ value: String? = nil) -> [Element] {
        elements.filter { element in element.attributes[name].map { value == nil || $0 == value } ?? false }
    }

    public func first(_ name: String, _ value: String? = nil) -> Element? { all(name, value).first }

    /// A figure as shown (`1,234`) as a number.
    public func number(_ name: String, _ value: String) -> Int? {
        first(name, value).flatMap { Int($0.text.replacingOccurrences(of: ",", with: "")) }
    }
}
