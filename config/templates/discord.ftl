<#-- Discord webhook: "content" holds at most 2000 characters. Data model: README.md here. -->
<#assign text>**${body.title}**<#list body.alerts as a>

**${a.title}**<#if a.master?has_content> — ${a.master}</#if> (${a.severity})
${a.summary}<#list a.details as k, v>
> ${k}: ${v}</#list></#list></#assign>
{"username": "sentinel-relay", "content": "${text?truncate(2000)?json_string}"}
