/**
 * The page's only script. It reads the DOM the renderer wrote (text, classes, data attributes) and
 * never evaluates anything from a run: no eval, no innerHTML, no data turned into code.
 */
export const PAGE_SCRIPT = `(function(){
"use strict";
function openAncestors(node){for(var n=node;n;n=n.parentElement){if(n.tagName==="DETAILS")n.open=true;}}
var input=document.getElementById("log-search");
if(input){
  var count=document.getElementById("search-count");
  var timer=0;
  var run=function(){
    var query=input.value.toLowerCase();
    var lines=document.querySelectorAll(".log-line");
    var hits=0,first=null;
    for(var i=0;i<lines.length;i++){
      var line=lines[i];
      var hit=query.length>0&&line.textContent.toLowerCase().indexOf(query)!==-1;
      line.classList.toggle("hit",hit);
      line.classList.remove("hit-current");
      if(hit){hits++;if(!first)first=line;openAncestors(line);}
    }
    count.textContent=query.length===0?"":hits+(hits===1?" line":" lines");
    if(first){first.classList.add("hit-current");first.scrollIntoView({block:"center"});}
  };
  input.addEventListener("input",function(){clearTimeout(timer);timer=setTimeout(run,120);});
  input.addEventListener("keydown",function(event){if(event.key==="Enter"){clearTimeout(timer);run();}});
}
function openHash(){
  if(location.hash.length<2)return;
  var target=document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if(target){openAncestors(target);if(target.tagName==="DETAILS")target.open=true;target.scrollIntoView();}
}
window.addEventListener("hashchange",openHash);openHash();
var filters=document.querySelectorAll("select[data-filter]");
if(filters.length>0){
  var apply=function(){
    var rows=document.querySelectorAll("tr[data-run]");
    var shown=0;
    for(var i=0;i<rows.length;i++){
      var row=rows[i],visible=true;
      for(var j=0;j<filters.length;j++){
        var value=filters[j].value;
        if(value!==""&&row.getAttribute("data-"+filters[j].getAttribute("data-filter"))!==value)visible=false;
      }
      row.classList.toggle("hidden",!visible);
      if(visible)shown++;
    }
    var counter=document.getElementById("shown-count");
    if(counter)counter.textContent=String(shown);
  };
  for(var k=0;k<filters.length;k++)filters[k].addEventListener("change",apply);
  apply();
}
})();`;
