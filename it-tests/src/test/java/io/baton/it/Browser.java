package io.baton.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven by chromedriver, both from the distribution (Debian's {@code chromium} and
 * {@code chromium-driver}, installed by .ci/run): the paths are given, so Selenium never tries to
 * download a driver (the machines have no internet). Without them the test is skipped, saying so,
 * except under CI, where it fails: there a missing browser is a broken setup, not a reason to pass.
 */
final class Browser {
    private Browser() {
    }

    static ChromeDriver start() {
        Optional<Path> chromium = first("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        Optional<Path> driver = first("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        String missing = chromium.isEmpty() ? "chromium" : driver.isEmpty() ? "chromedriver" : null;
        if (missing != null) {
            String why = missing + " is not installed (apt-get install chromium chromium-driver)";
            if (System.getenv("CI") != null) {
                throw new AssertionError(why);
            }
            assumeTrue(false, why);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions");
        // The nodes' certificates are issued by the test cluster's CA, which the browser does not know.
        options.setAcceptInsecureCerts(true);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver.get().toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Optional<Path> first(String... paths) {
        return Stream.of(paths).map(Path::of).filter(Files::isExecutable).findFirst();
    }
}
