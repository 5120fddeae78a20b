package dev.sentinelrelay.alerts;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.List;

/** Collects the alerts raised within the group window into one list: one message per channel, naming them all. */
public final class AlertGrouping implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange group, Exchange next) {
        Alert alert = next.getMessage().getBody(Alert.class);
        if (group == null) {
            List<Alert> alerts = new ArrayList<>();
            alerts.add(alert);
            next.getMessage().setBody(alerts);
            return next;
        }
        @SuppressWarnings("unchecked")
        List<Alert> alerts = group.getMessage().getBody(List.class);
        alerts.add(alert);
        return group;
    }
}
