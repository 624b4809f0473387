package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's job settings table is the one {@link JobOptionsTable} renders. */
class JobOptionsTableTest {

  /** With this system property true, the test writes the expected table into README.md. */
  private static final String UPDATE = "narrowbert.readme.update";

  private static final Path README =
      Path.of(System.getProperty("narrowbert.root", "..")).resolve("README.md");

  @Test
  void readmeShowsTheTableGeneratedFromTheDeclarations() throws Exception {
    String readme = Files.readString(README);
    int begin = readme.indexOf(JobOptionsTable.BEGIN + "\n");
    int end = readme.indexOf(JobOptionsTable.END);
    String expected = JobOptionsTable.markdown();
    assertThat(begin >= 0 && end > begin)
        .withFailMessage(
            "%s has no job settings table between the lines%n%s%n%s%nAdd them with this table"
                + " between them:%n%s",
            README.toAbsolutePath(), JobOptionsTable.BEGIN, JobOptionsTable.END, expected)
        .isTrue();
    String actual = readme.substring(begin + JobOptionsTable.BEGIN.length() + 1, end);
    if (Boolean.getBoolean(UPDATE) && !actual.equals(expected)) {
      Files.writeString(
          README, readme.substring(0, end - actual.length()) + expected + readme.substring(end));
      return;
    }
    assertThat(actual)
        .withFailMessage(
            "%s's job settings table is not the one generated from JobOptions. Replace the"
                + " lines between%n%s%nand%n%s%nwith the following (or run this test with -D%s=true):%n%s",
            README.toAbsolutePath(), JobOptionsTable.BEGIN, JobOptionsTable.END, UPDATE, expected)
        .isEqualTo(expected);
  }

  @Test
  void listsEveryOptionWithItsDefaultAndThePassThrough() {
    String table = JobOptionsTable.markdown();

    assertThat(table.lines()).hasSize(2 + JobOptions.ALL.size() + 1);
    assertThat(table)
        .contains("| `bootstrap-servers` | required | Kafka bootstrap.servers (required). |")
        .contains("| `max-batch-delay` | `100 ms` | Close a batch when its oldest text")
        .contains("| `kafka.*` |  | Any Kafka client property");
  }
}
