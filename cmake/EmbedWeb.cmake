# Embeds the web app (web/index.html, web/app/*, and echarts from web/node_modules) into a target,
# so that the one loanrisk binary serves the app offline. The generated source is rewritten when an
# asset changes; it carries each asset's SHA-256, which is also the ETag and busts ccache.
function(loanrisk_embed_web target)
  set(web_dir ${PROJECT_SOURCE_DIR}/web)
  set(echarts ${web_dir}/node_modules/echarts/dist/echarts.min.js)
  if(NOT EXISTS ${echarts})
    message(FATAL_ERROR "The web app needs npm's echarts at ${echarts}: run scripts/setup.sh "
                        "(it runs `npm ci` in web/), then configure again.")
  endif()
  file(GLOB_RECURSE assets CONFIGURE_DEPENDS ${web_dir}/app/*)
  list(APPEND assets ${web_dir}/index.html ${echarts})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/web_assets.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${web_dir} -DOUT=${out} -P
            ${PROJECT_SOURCE_DIR}/cmake/GenerateWebAssets.cmake
    DEPENDS ${assets} ${PROJECT_SOURCE_DIR}/cmake/GenerateWebAssets.cmake
    COMMENT "Embedding the web app"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
