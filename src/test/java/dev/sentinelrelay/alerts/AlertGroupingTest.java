package dev.sentinelrelay.alerts;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The group window's aggregation (routes/70-alerts.yaml, Camel's GroupedBodyAggregationStrategy): every alert raised
 * within it, in the order raised, in one exchange's body once the window completes.
 */
class AlertGroupingTest {

    private static final CamelContext CAMEL = new DefaultCamelContext();
    private final GroupedBodyAggregationStrategy grouping = new GroupedBodyAggregationStrategy();

    @AfterAll
    static void stopCamel() throws Exception {
        CAMEL.close();
    }

    private static Exchange raised(Alert alert) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setBody(alert);
        return exchange;
    }

    private static Alert failover(String master) {
        return Alert.of(AlertKind.FAILOVER, master, "failover of " + master, Map.of("new master", "127.0.0.1:6380"),
                "failover " + master, null);
    }

    @Test
    void theFirstAlertOfAWindowStartsTheGroupAsAList() {
        Alert first = failover("mymaster");
        Exchange next = raised(first);
        Exchange group = grouping.aggregate(null, next);
        assertSame(next, group);
        grouping.onCompletion(group);
        assertEquals(List.of(first), group.getMessage().getBody(List.class));
    }

    @Test
    void laterAlertsAreAppendedInTheOrderRaised() {
        Alert mymaster = failover("mymaster");
        Alert other = failover("othermaster");
        Alert down = Alert.of(AlertKind.MASTER_DOWN, "othermaster", "down", Map.of(), "down othermaster", null);
        Exchange group = grouping.aggregate(null, raised(mymaster));
        assertSame(group, grouping.aggregate(group, raised(other)), "the group's exchange is kept");
        grouping.aggregate(group, raised(down));
        grouping.onCompletion(group);
        assertEquals(List.of(mymaster, other, down), group.getMessage().getBody(List.class));
    }
}
