package dev.replication.internal.config;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the {@code persistence-unit} elements of every {@code META-INF/persistence.xml} a class
 * loader sees, with a parser that refuses DTDs and external entities.
 */
public final class PersistenceXml {

    private PersistenceXml() {
    }

    /** Every persistence-unit element, in class-path order. */
    public static List<Element> units(ClassLoader loader) throws IOException, SAXException, ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        List<Element> units = new ArrayList<>();
        for (URL url : Collections.list(loader.getResources("META-INF/persistence.xml"))) {
            try (InputStream in = url.openStream()) {
                NodeList found = f.newDocumentBuilder().parse(in).getElementsByTagNameNS("*", "persistence-unit");
                for (int i = 0; i < found.getLength(); i++) {
                    units.add((Element) found.item(i));
                }
            }
        }
        return units;
    }
}
