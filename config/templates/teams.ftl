<#-- Microsoft Teams "Workflows" webhook ("Post to a channel when a webhook request is received"): a message
     with one Adaptive Card attachment. The retired Office 365 connector MessageCard format is not used.
     Data model: README.md here. -->
<#assign colors = {"critical": "Attention", "warning": "Warning", "info": "Good"}>
{
  "type": "message",
  "attachments": [
    {
      "contentType": "application/vnd.microsoft.card.adaptive",
      "contentUrl": null,
      "content": {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
          {"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": true, "color": "${colors[body.severity]}", "text": "${body.title?json_string}"}<#list body.alerts as a>,
          {"type": "TextBlock", "weight": "Bolder", "wrap": true, "spacing": "Large", "color": "${colors[a.severity]}", "text": "${(a.title + (a.master?has_content)?then(" — " + a.master, ""))?json_string}"},
          {"type": "TextBlock", "wrap": true, "text": "${a.summary?json_string}"},
          {"type": "FactSet", "facts": [{"title": "time", "value": "${a.time?json_string}"}<#list a.details as k, v>, {"title": "${k?json_string}", "value": "${v?json_string}"}</#list>]}</#list>
        ]
      }
    }
  ]
}
