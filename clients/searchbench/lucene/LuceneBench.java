// eiso-searchbench's Apache Lucene engine: builds a Lucene index of the corpus the
// Rust bench wrote, then runs the query set on the commands it reads from stdin,
// printing what it measured on stdout (one line per answer, see `main`).
//
// Analysis, as eiso's `vi_folded`: the text normalised to NFC (a CharFilter around
// java.text.Normalizer: ASCIIFoldingFilter only folds precomposed letters, and ~10 %
// of the corpus is NFD), StandardTokenizer, LowerCaseFilter, ASCIIFoldingFilter (which
// maps đ/Đ to d itself; the probes printed at start-up show it).
//
// Fields: `title` and `body` (TextField: frequencies and positions, not stored),
// `readers` (StringField, the token `all`: the visibility filter eiso applies) and
// `id` (stored int: the document's index in the corpus, the only stored field).
//
// Query, as eiso's `query::build` for words typed without diacritics: every word
// required, each `title:w^2 OR body:w` (BM25, Lucene's defaults k1 1.2, b 0.75),
// with `readers:all` as a FILTER clause (no score). Top 10 by score, then the stored
// `id` of each hit.
//
// Compiled and run by eiso-searchbench (clients/searchbench/src/lucene.rs) against
// Debian's liblucene8-java jars: lucene-core, lucene-analyzers-common.

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharFilter;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;

public final class LuceneBench {
    /** Unicode NFC of the whole field value (offsets are not corrected: no highlighting here). */
    static final class NfcCharFilter extends CharFilter {
        private Reader normalized;

        NfcCharFilter(Reader in) {
            super(in);
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (normalized == null) {
                StringBuilder text = new StringBuilder();
                char[] chunk = new char[8192];
                int n;
                while ((n = input.read(chunk)) > 0) {
                    text.append(chunk, 0, n);
                }
                String s = text.toString();
                if (!Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
                    s = Normalizer.normalize(s, Normalizer.Form.NFC);
                }
                normalized = new StringReader(s);
            }
            return normalized.read(buffer, offset, length);
        }

        @Override
        protected int correct(int offset) {
            return offset;
        }
    }

    /** NFC, StandardTokenizer, lower case, ASCII folding (đ → d included). */
    static final class VietnameseFolding extends Analyzer {
        final boolean nfc;

        VietnameseFolding(boolean nfc) {
            this.nfc = nfc;
        }

        @Override
        protected Reader initReader(String field, Reader reader) {
            return nfc ? new NfcCharFilter(reader) : reader;
        }

        @Override
        protected TokenStreamComponents createComponents(String field) {
            Tokenizer source = new StandardTokenizer();
            TokenStream stream = new LowerCaseFilter(source);
            stream = new ASCIIFoldingFilter(stream);
            return new TokenStreamComponents(source, stream);
        }
    }

    static final Analyzer ANALYZER = new VietnameseFolding(true);
    static final Set<String> ID_ONLY = Collections.singleton("id");
    static final float TITLE = 2.0f;
    static final float BODY = 1.0f;

    static List<String> tokens(String field, String text) throws IOException {
        return tokens(ANALYZER, field, text);
    }

    static List<String> tokens(Analyzer analyzer, String field, String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream stream = analyzer.tokenStream(field, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                out.add(term.toString());
            }
            stream.end();
        }
        return out;
    }

    static Query query(String text) throws IOException {
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        for (String word : tokens("body", text)) {
            BooleanQuery either = new BooleanQuery.Builder()
                .add(new BoostQuery(new TermQuery(new Term("title", word)), TITLE), Occur.SHOULD)
                .add(new BoostQuery(new TermQuery(new Term("body", word)), BODY), Occur.SHOULD)
                .build();
            all.add(either, Occur.MUST);
        }
        all.add(new TermQuery(new Term("readers", "all")), Occur.FILTER);
        return all.build();
    }

    /** Undoes the Rust side's escaping of `\`, tab, newline and carriage return. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                out.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                total += Files.size(file);
            }
            return total;
        }
    }

    /**
     * How the top 10 are collected. TOP: `IndexSearcher.search(query, 10)`, Lucene's
     * default (hits counted exactly up to 1,000, after which non-competitive documents
     * are skipped: block-max WAND / impacts). EXACT: every match counted and scored
     * (`TopScoreDocCollector.create(10, Integer.MAX_VALUE)`), as eiso's collector does.
     */
    enum Mode {
        TOP, EXACT
    }

    final IndexSearcher searcher;
    final List<String> queries;

    LuceneBench(IndexSearcher searcher, List<String> queries) {
        this.searcher = searcher;
        this.queries = queries;
    }

    /** One query, the way `mode` says: the stored ids of the top 10 and the total hits. */
    long search(String text, Mode mode, int[] ids) throws IOException {
        Query query = query(text);
        TopDocs top;
        if (mode == Mode.TOP) {
            top = searcher.search(query, 10);
        } else {
            TopScoreDocCollector collector = TopScoreDocCollector.create(10, Integer.MAX_VALUE);
            searcher.search(query, collector);
            top = collector.topDocs();
        }
        ScoreDoc[] hits = top.scoreDocs;
        for (int i = 0; i < hits.length; i++) {
            ids[i] = searcher.doc(hits[i].doc, ID_ONLY).getField("id").numericValue().intValue();
        }
        ids[hits.length] = -1;
        return top.totalHits.value;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LuceneBench CORPUS.tsv QUERIES.txt INDEX_DIR");
            System.exit(2);
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        out.printf("version Lucene %s; Java %s (%s), max heap %d MB%n", Version.LATEST, System.getProperty("java.version"),
            System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20);
        for (String probe : new String[] {"Đường đến trường, ĐỀ ÁN",
                 Normalizer.normalize("hồ sơ Đặng", Normalizer.Form.NFD), "Quyết định số 43/KH-SGDĐT"}) {
            boolean nfd = !Normalizer.isNormalized(probe, Normalizer.Form.NFC);
            out.printf("probe '%s'%s → %s%n", Normalizer.normalize(probe, Normalizer.Form.NFC), nfd ? " (NFD)" : "",
                String.join(" ", tokens("body", probe)));
        }
        // Why the NFC char filter: without it, ASCIIFoldingFilter leaves NFD's combining marks.
        String nfd = Normalizer.normalize("hồ sơ", Normalizer.Form.NFD);
        StringBuilder escaped = new StringBuilder();
        for (String token : tokens(new VietnameseFolding(false), "body", nfd)) {
            escaped.append(escaped.length() > 0 ? " " : "");
            for (char c : token.toCharArray()) {
                escaped.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04X", (int) c));
            }
        }
        out.printf("probe without the NFC char filter: 'hồ sơ' (NFD) → %s%n", escaped);
        out.flush();

        List<String[]> docs = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                int tab = line.indexOf('\t');
                docs.add(new String[] {unescape(line.substring(0, tab)), unescape(line.substring(tab + 1))});
            }
        }
        List<String> queries = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        Path indexDir = Paths.get(args[2]);

        // The build: open the writer, add every document (one thread), commit.
        long began = System.nanoTime();
        Directory directory = FSDirectory.open(indexDir);
        IndexWriterConfig config = new IndexWriterConfig(ANALYZER);
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        IndexWriter writer = new IndexWriter(directory, config);
        Field readers = new StringField("readers", "all", Field.Store.NO);
        for (int i = 0; i < docs.size(); i++) {
            Document doc = new Document();
            doc.add(new StoredField("id", i));
            doc.add(new TextField("title", docs.get(i)[0], Field.Store.NO));
            doc.add(new TextField("body", docs.get(i)[1], Field.Store.NO));
            doc.add(readers);
            writer.addDocument(doc);
        }
        writer.commit();
        long build = System.nanoTime() - began;
        int segmentsAtCommit;
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            segmentsAtCommit = reader.leaves().size();
        }
        long bytesAtCommit = directoryBytes(indexDir);
        docs = null;
        // close() waits for the merges in flight (as eiso's `close()` does), then reopen.
        began = System.nanoTime();
        writer.close();
        DirectoryReader reader = DirectoryReader.open(directory);
        long settle = System.nanoTime() - began;
        out.printf("built %d %d %d %d %d %d %s%n", build, segmentsAtCommit, bytesAtCommit, settle, reader.leaves().size(),
            directoryBytes(indexDir), directory.getClass().getSimpleName());
        out.println("ready");
        out.flush();

        LuceneBench bench = new LuceneBench(new IndexSearcher(reader), queries);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        int[] ids = new int[11];
        while ((command = commands.readLine()) != null) {
            String[] words = command.split(" ");
            if (words[0].equals("quit")) {
                break;
            }
            Mode mode = Mode.valueOf(words[1]);
            // `pass` and `two` run the queries from..to (all of them by default).
            final int from = words.length > 2 ? Integer.parseInt(words[2]) : 0;
            final int to = words.length > 3 ? Integer.parseInt(words[3]) : queries.size();
            switch (words[0]) {
                case "results": {
                    // One line per query: the total hits, then the top-10 ids.
                    for (String text : queries) {
                        long total = bench.search(text, mode, ids);
                        StringBuilder line = new StringBuilder().append(total);
                        for (int i = 0; ids[i] >= 0; i++) {
                            line.append(' ').append(ids[i]);
                        }
                        out.println(line);
                    }
                    break;
                }
                case "pass": {
                    // One sequential timed pass: the wall time, then every query's latency (ns).
                    long[] latencies = new long[to - from];
                    long start = System.nanoTime();
                    for (int q = 0; q < latencies.length; q++) {
                        long begin = System.nanoTime();
                        bench.search(queries.get(from + q), mode, ids);
                        latencies[q] = System.nanoTime() - begin;
                    }
                    long wall = System.nanoTime() - start;
                    StringBuilder line = new StringBuilder().append(wall);
                    for (long latency : latencies) {
                        line.append(' ').append(latency);
                    }
                    out.println(line);
                    break;
                }
                case "two": {
                    // Two threads sharing the queries (even / odd ones): the wall time (ns).
                    long start = System.nanoTime();
                    Thread[] threads = new Thread[2];
                    Exception[] failed = new Exception[1];
                    for (int t = 0; t < 2; t++) {
                        final int first = from + t;
                        threads[t] = new Thread(() -> {
                            int[] mine = new int[11];
                            try {
                                for (int q = first; q < to; q += 2) {
                                    bench.search(queries.get(q), mode, mine);
                                }
                            } catch (IOException e) {
                                failed[0] = e;
                            }
                        });
                        threads[t].start();
                    }
                    for (Thread thread : threads) {
                        thread.join();
                    }
                    if (failed[0] != null) {
                        throw failed[0];
                    }
                    out.println(System.nanoTime() - start);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown command " + command);
            }
            out.flush();
        }
        reader.close();
        directory.close();
    }
}
