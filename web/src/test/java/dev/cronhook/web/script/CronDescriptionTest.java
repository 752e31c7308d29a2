package dev.cronhook.web.script;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronDescriptionTest {

    @ParameterizedTest(name = "{0} reads \"{1}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "*/1 * * * * *       | Every second",
                "* * * * * *         | Every second",
                "*/5 * * * *         | Every 5 minutes",
                "* * * * *           | Every minute",
                "30 9 * * 1-5        | At 09:30, on Monday through Friday",
                "15 30 8 10 * *      | At 08:30:15, on day 10 of the month",
                "0 0 1 * *           | At 00:00, on day 1 of the month",
                "0 */2 * * *         | At minute 0, every 2 hours",
                "5 * * * *           | At minute 5 of every hour",
                "0 12 * JAN,JUL SUN  | At 12:00, in January and July, on Sunday",
                "0 8 * * 0,7         | At 08:00, on Sunday"
            })
    void aCronExpressionIsSaidInWords(String expression, String words) {
        assertThat(CronDescription.of(expression.trim())).isEqualTo(words.trim());
    }
}
