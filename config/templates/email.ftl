<#-- Plain-text email body; the subject is "sentinel-relay <title>". Data model: README.md here. -->
${body.title}
<#list body.alerts as a>

== ${a.title}<#if a.master?has_content> - ${a.master}</#if> (${a.severity}) ==
${a.summary}

  time: ${a.time}
<#list a.details as k, v>
  ${k}: ${v}
</#list>
</#list>

-- 
sentinel-relay, message ${body.group} (${body.count} alert<#if body.count != 1>s</#if>)
