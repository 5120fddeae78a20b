<#-- The generic webhook document (documented in docs/alerts.md). Keep its field names stable:
     receivers parse them. Data model: README.md here. -->
{
  "source": "sentinel-relay",
  "group": "${body.group?json_string}",
  "created": "${body.created?json_string}",
  "title": "${body.title?json_string}",
  "severity": "${body.severity}",
  "alerts": [<#list body.alerts as a>
    {
      "id": "${a.id?json_string}",
      "kind": "${a.kind}",
      "severity": "${a.severity}",
      "resolve": ${a.resolve?c},
      "master": <#if a.master?has_content>"${a.master?json_string}"<#else>null</#if>,
      "time": "${a.time?json_string}",
      "summary": "${a.summary?json_string}",
      "details": {<#list a.details as k, v>"${k?json_string}": "${v?json_string}"<#sep>, </#sep></#list>}
    }<#sep>,</#sep></#list>
  ]
}
