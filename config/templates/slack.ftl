<#-- Slack incoming webhook; Mattermost and Rocket.Chat accept the same JSON. Data model: README.md here. -->
<#assign icons = {"critical": ":red_circle:", "warning": ":warning:", "info": ":large_green_circle:"}>
{
  "text": "${body.title?json_string}",
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "${body.title?truncate(150)?json_string}"}}<#list body.alerts as a>,
    {"type": "section", "text": {"type": "mrkdwn", "text": "${(icons[a.severity] + " *" + a.title + "*" + (a.master?has_content)?then(" — " + a.master, "") + "\n" + a.summary)?json_string}"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "${(a.time + (a.details?size > 0)?then(" · ", "") + a.details?keys?map(k -> k + ": " + a.details[k])?join(" · "))?truncate(2900)?json_string}"}]}</#list>
  ]
}
